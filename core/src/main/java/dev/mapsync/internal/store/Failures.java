package dev.mapsync.internal.store;

import dev.mapsync.MapAccessDeniedException;
import dev.mapsync.MapExistsException;
import dev.mapsync.MapNotFoundException;
import dev.mapsync.MapSyncException;
import dev.mapsync.internal.sys.Errno;
import dev.mapsync.internal.sys.SyscallException;

import java.nio.file.Path;

/** Turns a failed system call on a map's file into the public exception that says what happened. */
public final class Failures {
    private Failures() {}

    public static MapSyncException of(String name, Path file, SyscallException e) {
        return switch (e.errno()) {
            case Errno.ENOENT -> new MapNotFoundException("no map '" + name + "' (no file " + file + ")", e);
            // a folder in the path is a file: no map can be there
            case Errno.ENOTDIR -> new MapNotFoundException("no map '" + name + "' (no file " + file
                    + ": part of its path is not a folder)", e);
            case Errno.EEXIST -> new MapExistsException("map '" + name + "' already exists (" + file + ")", e);
            case Errno.EACCES, Errno.EPERM, Errno.EROFS ->
                    new MapAccessDeniedException("permission denied for map '" + name + "': " + e.getMessage(), e);
            case Errno.ELOOP -> new MapAccessDeniedException("refusing map '" + name + "': " + file
                    + " is a symbolic link, and mapsync never follows links", e);
            case Errno.EISDIR -> new MapAccessDeniedException("refusing map '" + name + "': " + file
                    + " is not a regular file", e);
            case Errno.ENOSPC, Errno.ENOMEM -> new MapSyncException("no room for map '" + name + "': "
                    + e.getMessage() + " (is " + folder(file) + " full? see df -h " + folder(file) + ")", e);
            default -> new MapSyncException("map '" + name + "': " + e.getMessage(), e);
        };
    }

    /** The folder of the map's file, whose file system ran out of room: not always /dev/shm. */
    private static Path folder(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        return parent == null ? file : parent;
    }
}
