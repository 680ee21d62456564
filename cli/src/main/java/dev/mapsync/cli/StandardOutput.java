package dev.mapsync.cli;

import dev.mapsync.internal.sys.LibC;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;

/**
 * The process's standard output, remembering the first write that failed and why. A command stops writing at a
 * failed write either way (it sees {@link java.io.PrintWriter#checkError()}); afterwards this tells a reader that went
 * away, as {@code head} closes its end of a pipe (the command ends quietly), from an output that cannot take the bytes,
 * such as a full disk (the command fails, saying so). Thread-safe as the file stream beneath it is.
 */
final class StandardOutput extends OutputStream {
    private static final int STDOUT = 1;

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

    /** The writer commands print with, over {@code out}: the charset of {@link System#out}, flushed at each line. */
    static PrintWriter printer(OutputStream out) {
        return new PrintWriter(new OutputStreamWriter(out, System.out.charset()), true);
    }

    private IOException failed(IOException e) {
        if (failure == null) failure = e;
        return e;
    }

    /**
     * Why a write failed, unless none did or the output's reader went away: the output is a pipe (named or not) or a
     * socket, and its other end is gone. A pipe that was full and does not wait (a parent made it non-blocking) is a
     * failure: the output was cut short.
     *
     * @return the failure's message, or null
     */
    String failureOtherThanAGoneReader() {
        IOException e = failure;
        if (e == null || readerGone()) return null;
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    /**
     * Whether the process's stdout is a pipe or socket whose reader went away: a command that waits for something to
     * print asks while it waits, since only a write would tell otherwise.
     */
    static boolean readerGone() {
        try {
            int type = LibC.fstat(STDOUT).mode() & LibC.S_IFMT;
            return (type == LibC.S_IFIFO || type == LibC.S_IFSOCK) && LibC.peerGone(STDOUT);
        } catch (RuntimeException e) {
            return false; // a descriptor that cannot be asked (closed, say) has no reader to have gone
        }
    }
}
