package dev.mapsync.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's standard output, remembering the first write that failed and why. A command stops writing at a
 * failed write either way (it sees {@link java.io.PrintWriter#checkError()}); afterwards this tells a reader that went
 * away, as {@code head} closes its end of a pipe (the command ends quietly), from an output that cannot take the bytes,
 * such as a full disk (the command fails, saying so). Thread-safe as the file stream beneath it is.
 */
final class StandardOutput extends OutputStream {
    private final OutputStream out = new FileOutputStream(FileDescriptor.out);
    private volatile IOException failure;

    @Override
    public void write(int b) throws IOException {
        try {
            out.write(b);
        } catch (IOException e) {
            throw failed(e);
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        try {
            out.write(b, off, len);
        } catch (IOException e) {
            throw failed(e);
        }
    }

    private IOException failed(IOException e) {
        if (failure == null) failure = e;
        return e;
    }

    /**
     * Why a write failed, unless none did or the output's reader went away: a pipe or socket is written only while
     * someone reads it, so a failed write to one is its reader gone.
     *
     * @return the failure's message, or null
     */
    String failureOtherThanAGoneReader() {
        IOException e = failure;
        if (e == null || isPipeOrSocket()) return null;
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    private static boolean isPipeOrSocket() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/1")).toString();
            return target.startsWith("pipe:") || target.startsWith("socket:");
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
