package dev.mapsync.internal.notify;

import dev.mapsync.Change;
import dev.mapsync.ChangeEvent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * Change events for writes the change log cannot see (a C program writing through its own mapping, bpftool, a BPF
 * program): every interval it copies the values and compares them with the previous copy, entry by entry. Changes
 * between two looks that cancel out, or several changes of one entry, show as one change or none: polling sees
 * states, not writes.
 */
public final class SnapshotDiff {
    private final Supplier<byte[]> snapshot;
    private final int firstKey;
    private final int stride;
    private final int valueSize;
    private final long intervalNanos;
    private byte[] previous;
    private long lastLook;
    private long seq;

    /**
     * @param snapshot copies the values of keys {@code firstKey ..}, {@code stride} bytes apart
     */
    public SnapshotDiff(Supplier<byte[]> snapshot, int firstKey, int stride, int valueSize, Duration interval) {
        this.snapshot = snapshot;
        this.firstKey = firstKey;
        this.stride = stride;
        this.valueSize = valueSize;
        this.intervalNanos = interval.toNanos();
        this.previous = snapshot.get();
        this.lastLook = System.nanoTime();
    }

    /** The changes seen at the next look, waiting at most {@code timeout} for it. */
    public List<ChangeEvent> poll(Duration timeout) {
        long due = lastLook + intervalNanos;
        long wait = due - System.nanoTime();
        if (wait > timeout.toNanos()) {
            sleep(timeout.toNanos());
            return List.of();
        }
        sleep(wait);
        lastLook = System.nanoTime();
        byte[] now = snapshot.get();
        List<ChangeEvent> out = new ArrayList<>();
        int entries = now.length / stride;
        for (int i = 0; i < entries; i++) {
            int from = i * stride;
            if (Arrays.mismatch(previous, from, from + valueSize, now, from, from + valueSize) >= 0) {
                out.add(new Change(firstKey + i, ++seq, 0));
            }
        }
        previous = now;
        return out;
    }

    private static void sleep(long nanos) {
        if (nanos <= 0) return;
        try {
            Thread.sleep(Duration.ofNanos(nanos));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
