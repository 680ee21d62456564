package dev.mapsync.testkit;

import dev.mapsync.internal.store.ControlLayout;
import dev.mapsync.internal.store.Header;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A broken or hostile peer: it writes words into a map's file (the sidecar, for bpf maps) with plain file writes,
 * behind the protocol's back, the way a process with write access could. Offsets come from docs/FORMAT.md.
 */
public final class Peer {
    private Peer() {}

    /** File offset of the control region. */
    public static final long CONTROL = Header.SIZE;

    /** File offset of lock record {@code stripe}. */
    public static long stripeRecord(int stripe) {
        return CONTROL + ControlLayout.SLOTS + ControlLayout.SLOT_COUNT * ControlLayout.SLOT_SIZE
                + stripe * ControlLayout.LOCK_RECORD_SIZE;
    }

    /** File offset of the map-wide lock record. */
    public static long mapRecord() {
        return CONTROL + ControlLayout.MAP_LOCK;
    }

    /** File offset of the event block's subscriber count. */
    public static long subscribers() {
        return CONTROL + ControlLayout.EVENT_BLOCK + 12;
    }

    /** Offsets inside a lock record (FORMAT.md §4.2). */
    public static final long WORD = 0, PID = 4, THREAD = 8, SEQ = 24, WRITING = 28, TORN = 32;

    public static void putInt(Path file, long offset, int value) {
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, value);
        write(file, offset, b);
    }

    public static void putLong(Path file, long offset, long value) {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, value);
        write(file, offset, b);
    }

    public static int getInt(Path file, long offset) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(b, offset);
            return b.getInt(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static long getLong(Path file, long offset) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(b, offset);
            return b.getLong(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The header's data region offset (FORMAT.md §2). */
    public static final long DATA_OFFSET = 80;

    private static void write(Path file, long offset, ByteBuffer b) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(b, offset);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
