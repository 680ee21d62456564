package dev.mapsync.launch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A JVM that {@link Jvm#start()} started: its {@link Process}, and what tests and drivers do with one (wait for a
 * line of its output or for its exit, kill it). Closing it kills it if it still runs and deletes its temporary
 * output file, if it has one.
 *
 * <p>Thread-safe: the methods act on the {@link Process}, which is, and read the output file.
 *
 * <p>The waits throw {@link IllegalStateException} when the child does not do what is awaited in time (the message
 * has its output, when it goes to a file), or when the waiting thread is interrupted (its interrupt status set
 * again).
 */
public final class ChildJvm implements AutoCloseable {
    private final Process process;
    /** The file stdout and stderr go to, or null. */
    private final Path output;
    private final boolean deleteOutput;

    ChildJvm(Process process, Path output, boolean deleteOutput) {
        this.process = process;
        this.output = output;
        this.deleteOutput = deleteOutput;
    }

    public Process process() {
        return process;
    }

    public long pid() {
        return process.pid();
    }

    /**
     * The file stdout and stderr go to.
     *
     * @throws IllegalStateException if they do not go to a file ({@link Jvm#output}, {@link Jvm#outputToTempFile})
     */
    public Path outputFile() {
        if (output == null) throw new IllegalStateException("the output of child " + pid() + " does not go to a file");
        return output;
    }

    /**
     * Everything the child printed so far, or a note saying why it cannot be read.
     *
     * @throws IllegalStateException if the output does not go to a file
     */
    public String output() {
        try {
            return Files.readString(outputFile(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    /**
     * Waits for the child to exit and returns its exit code; kills it if it takes longer than {@code seconds}.
     *
     * @throws IllegalStateException if it did not exit in time, or the wait was interrupted
     */
    public int await(long seconds) {
        try {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("child " + pid() + " did not finish in " + seconds + " s"
                        + outputNote());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            throw interrupted(e);
        }
    }

    /**
     * Waits for the child to exit with code 0.
     *
     * @throws IllegalStateException if it exited with another code, did not exit in time (it is killed then), or the
     *         wait was interrupted
     */
    public void awaitSuccess(long seconds) {
        int code = await(seconds);
        if (code != 0) throw new IllegalStateException("child " + pid() + " exited with " + code + outputNote());
    }

    /**
     * Waits until the child has printed a line equal to {@code line}.
     *
     * @throws IllegalStateException if the output does not go to a file, the child exited first or did not print the
     *         line within {@code seconds} (it still runs then), or the wait was interrupted
     */
    public void awaitLine(String line, long seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() - deadline < 0) {
            if (output().lines().anyMatch(line::equals)) return;
            if (!process.isAlive()) {
                throw new IllegalStateException("child exited before printing '" + line + "':\n" + output());
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                throw interrupted(e);
            }
        }
        throw new IllegalStateException("child did not print '" + line + "' in " + seconds + " s:\n" + output());
    }

    /** Kills the child with SIGKILL and waits (up to 10 s) for it to be gone; an interrupt ends the wait early. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Kills the child if it still runs; deletes its output file if it is a temporary one. */
    @Override
    public void close() {
        if (process.isAlive()) kill();
        if (deleteOutput) Jvm.deleteQuietly(output);
    }

    private String outputNote() {
        return output == null ? "" : "; output:\n" + output();
    }

    private IllegalStateException interrupted(InterruptedException e) {
        Thread.currentThread().interrupt();
        return new IllegalStateException("interrupted while waiting for child " + pid(), e);
    }
}
