package dev.mapsync.cli.demo;

import java.io.PrintWriter;
import java.util.function.LongSupplier;

/**
 * Shows how far the workers are, on stderr so that stdout stays clean for {@code --json}: one line rewritten in
 * place on a terminal; otherwise a line when the count has moved, at most one a second, so that a log holds no
 * repeated lines.
 */
public final class Progress {
    private final PrintWriter err;
    private final boolean terminal;
    private long lastPrinted;
    private long lastDone = -1;

    private final LongSupplier clock;

    public Progress(PrintWriter err) {
        this(err, System.console() != null && System.console().isTerminal(), System::nanoTime);
    }

    /** A progress line on {@code err}, which is a terminal or not, timed by {@code clock} (nanoseconds). */
    Progress(PrintWriter err, boolean terminal, LongSupplier clock) {
        this.err = err;
        this.terminal = terminal;
        this.clock = clock;
    }

    /** Prints {@code done / total} if it is time to. */
    public void show(String what, long done, long total) {
        long now = clock.getAsLong();
        long every = terminal ? 100_000_000L : 1_000_000_000L;
        if (now - lastPrinted < every && done < total) return;
        if (!terminal && done == lastDone) return;
        lastPrinted = now;
        lastDone = done;
        String line = String.format("  %s: %,d / %,d (%d%%)", what, done, total, total == 0 ? 100 : done * 100 / total);
        if (terminal) err.print("\r" + line + "   ");
        else err.println(line);
        err.flush();
    }

    /** Ends the progress line. */
    public void finish() {
        if (terminal) {
            err.print("\r" + " ".repeat(70) + "\r");
            err.flush();
        }
    }

    /** Polls {@code done} until it reaches {@code total} or {@code running} turns false. */
    public void follow(String what, LongSupplier done, long total, java.util.function.BooleanSupplier running) {
        while (true) {
            long d = done.getAsLong();
            show(what, d, total);
            if (d >= total || !running.getAsBoolean()) break;
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        finish();
    }
}
