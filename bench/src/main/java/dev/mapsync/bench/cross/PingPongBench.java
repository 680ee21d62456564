package dev.mapsync.bench.cross;

import dev.mapsync.ArraySpec;
import dev.mapsync.ChangeCursor;
import dev.mapsync.Codec;
import dev.mapsync.LongSlots;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;
import dev.mapsync.bench.MappedFiles;
import org.HdrHistogram.Histogram;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Cross-process wake-up round trips: a ping process and a pong process hand a counter back and forth N times, and
 * each round trip's time goes into an HdrHistogram. Every mode's writer publishes the counter with a release store.
 * Modes:
 * <ul>
 *   <li>{@code notify}: through two maps' change notifications (each side sleeps in FUTEX_WAIT until the other's
 *       write wakes it);</li>
 *   <li>{@code notify-spin}: the same with {@link ChangeCursor#spinBeforeSleep} of 50 µs;</li>
 *   <li>{@code spin}: busy-spinning on a shared-memory slot (the limit: no sleeping at all);</li>
 *   <li>{@code pipe}: 8 bytes over the child's stdin and stdout;</li>
 *   <li>{@code socket}: 8 bytes over a UNIX-domain socket.</li>
 * </ul>
 * Run: {@code java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar
 * dev.mapsync.bench.cross.PingPongBench [rounds] [modes]}.
 */
public final class PingPongBench {
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** The percentiles recorded for each mode (the last point is the maximum). */
    public static final double[] PERCENTILES = {50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 100};

    /**
     * Percentiles of one mode, in nanoseconds.
     *
     * @param curve the round-trip time at each of {@link #PERCENTILES}
     */
    public record Result(String mode, long rounds, long p50, long p99, long p999, long max, long[] curve) {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("pong")) {
            pong(args[1], Path.of(args[2]), Long.parseLong(args[3]));
            return;
        }
        long rounds = args.length > 0 ? Long.parseLong(args[0]) : 20_000;
        List<String> modes = args.length > 1 ? List.of(args[1].split(",")) : List.of("notify", "notify-spin", "spin", "pipe", "socket");
        for (Result r : run(modes, rounds)) {
            System.out.printf("%-12s rounds %,8d  p50 %8.2f us  p99 %8.2f us  p99.9 %8.2f us  max %9.2f us%n", r.mode(),
                    r.rounds(), r.p50() / 1e3, r.p99() / 1e3, r.p999() / 1e3, r.max() / 1e3);
        }
    }

    /**
     * Runs each mode for {@code rounds} round trips, after a warm-up: a tenth as many for the sleeping modes, as many
     * (at least 100,000) for the spinning ones.
     */
    public static List<Result> run(List<String> modes, long rounds) throws Exception {
        List<Result> results = new ArrayList<>();
        for (String mode : modes) {
            Path dir = Files.createTempDirectory(Path.of("/dev/shm"), "mapsync-pingpong-");
            try {
                results.add(ping(mode, dir, rounds));
            } finally {
                MappedFiles.deleteTree(dir);
            }
        }
        return results;
    }

    private static Result ping(String mode, Path dir, long rounds) throws Exception {
        // a spinning round trip takes a fraction of a microsecond: a tenth of the run would be over before the JIT
        // has compiled the loop, so the spinning modes warm up for 100,000 round trips (a few tens of milliseconds)
        long warmup = mode.contains("spin") ? Math.max(rounds, 100_000) : Math.max(1000, rounds / 10);
        long total = warmup + rounds;
        Histogram h = new Histogram(3_600_000_000_000L, 3);
        Process child;
        switch (mode) {
            case "notify", "notify-spin" -> {
                try (SharedArray<Long> out = SharedArray.create(spec(dir, "ping"));
                     SharedArray<Long> in = SharedArray.create(spec(dir, "pong"));
                     ChangeCursor cursor = in.changes()) {
                    if (mode.equals("notify-spin")) cursor.spinBeforeSleep(Duration.ofNanos(50_000));
                    child = Child.start(PingPongBench.class, "pong", mode, dir.toString(), Long.toString(total));
                    LongSlots tx = out.longs(), rx = in.longs();
                    awaitValue(rx, cursor, -1);
                    for (long r = 1; r <= total; r++) {
                        long t0 = System.nanoTime();
                        tx.setRelease(0, r);
                        awaitValue(rx, cursor, r);
                        if (r > warmup) h.recordValue(System.nanoTime() - t0);
                    }
                }
            }
            case "spin" -> {
                try (SharedArray<Long> map = SharedArray.create(spec(dir, "spin"))) {
                    child = Child.start(PingPongBench.class, "pong", mode, dir.toString(), Long.toString(total));
                    LongSlots s = map.longs();
                    spinFor(s, -1, child);
                    for (long r = 1; r <= total; r++) {
                        long t0 = System.nanoTime();
                        s.setRelease(0, r);
                        spinFor(s, r, child);
                        if (r > warmup) h.recordValue(System.nanoTime() - t0);
                    }
                }
            }
            case "pipe" -> {
                child = Child.start(PingPongBench.class, "pong", mode, dir.toString(), Long.toString(total));
                echoLoop(child.getOutputStream(), child.getInputStream(), total, warmup, h);
            }
            case "socket" -> {
                Path socket = dir.resolve("socket");
                try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                    server.bind(UnixDomainSocketAddress.of(socket));
                    child = Child.start(PingPongBench.class, "pong", mode, dir.toString(), Long.toString(total));
                    try (SocketChannel ch = accept(server, child)) {
                        echoLoop(Channels.newOutputStream(ch), Channels.newInputStream(ch), total, warmup, h);
                    }
                }
            }
            default -> throw new IllegalArgumentException("unknown mode " + mode);
        }
        if (!child.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
            child.destroyForcibly();
            throw new IllegalStateException(mode + ": the pong process did not end within " + WAIT);
        }
        if (child.exitValue() != 0) throw new IllegalStateException(mode + ": the pong process failed");
        long[] curve = new long[PERCENTILES.length];
        for (int i = 0; i < curve.length; i++) curve[i] = h.getValueAtPercentile(PERCENTILES[i]);
        return new Result(mode, rounds, h.getValueAtPercentile(50), h.getValueAtPercentile(99),
                h.getValueAtPercentile(99.9), h.getMaxValue(), curve);
    }

    /**
     * Spins until slot 1 of {@code slots} holds {@code value}, the pong process's answer.
     *
     * @throws IllegalStateException if that process ended first: the answer would never come
     */
    static void spinFor(LongSlots slots, long value, Process pong) {
        for (int i = 1; slots.getAcquire(1) != value; i++) {
            Thread.onSpinWait();
            // a look at the process is a lock and a field read: once in 65,536 spins, a few a millisecond
            if ((i & 0xFFFF) == 0 && !pong.isAlive() && slots.getAcquire(1) != value) {
                throw new IllegalStateException("spin: the pong process ended (exit " + pong.exitValue()
                        + ") before it answered");
            }
        }
    }

    /**
     * Accepts the pong process's connection.
     *
     * @throws IllegalStateException if that process ended first, or did not connect within {@link #WAIT}
     */
    static SocketChannel accept(ServerSocketChannel server, Process pong) throws IOException, InterruptedException {
        server.configureBlocking(false);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            SocketChannel ch = server.accept();
            if (ch != null) return ch; // in blocking mode, whatever the server's mode
            if (!pong.isAlive()) {
                throw new IllegalStateException("socket: the pong process ended (exit " + pong.exitValue()
                        + ") before it connected");
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("socket: the pong process did not connect within " + WAIT);
            }
            Thread.sleep(1);
        }
    }

    private static void echoLoop(OutputStream os, InputStream is, long total, long warmup, Histogram h) throws IOException {
        DataOutputStream out = new DataOutputStream(os);
        DataInputStream in = new DataInputStream(is);
        for (long r = 1; r <= total; r++) {
            long t0 = System.nanoTime();
            out.writeLong(r);
            out.flush();
            if (in.readLong() != r) throw new IllegalStateException("echo out of step");
            if (r > warmup) h.recordValue(System.nanoTime() - t0);
        }
    }

    private static void pong(String mode, Path dir, long total) throws Exception {
        switch (mode) {
            case "notify", "notify-spin" -> {
                try (SharedArray<Long> in = SharedArray.open(spec(dir, "ping"));
                     SharedArray<Long> out = SharedArray.open(spec(dir, "pong"));
                     ChangeCursor cursor = in.changes()) {
                    if (mode.equals("notify-spin")) cursor.spinBeforeSleep(Duration.ofNanos(50_000));
                    LongSlots rx = in.longs(), tx = out.longs();
                    tx.setRelease(0, -1);
                    for (long r = 1; r <= total; r++) {
                        awaitValue(rx, cursor, r);
                        tx.setRelease(0, r);
                    }
                }
            }
            case "spin" -> {
                try (SharedArray<Long> map = SharedArray.open(spec(dir, "spin"))) {
                    LongSlots s = map.longs();
                    s.setRelease(1, -1);
                    for (long r = 1; r <= total; r++) {
                        while (s.getAcquire(0) != r) Thread.onSpinWait();
                        s.setRelease(1, r);
                    }
                }
            }
            case "pipe" -> echo(System.in, System.out, total);
            case "socket" -> {
                try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(dir.resolve("socket")))) {
                    echo(Channels.newInputStream(ch), Channels.newOutputStream(ch), total);
                }
            }
            default -> throw new IllegalArgumentException(mode);
        }
    }

    private static void echo(InputStream is, OutputStream os, long total) throws IOException {
        DataInputStream in = new DataInputStream(is);
        DataOutputStream out = new DataOutputStream(os);
        for (long r = 1; r <= total; r++) {
            out.writeLong(in.readLong());
            out.flush();
        }
    }

    private static void awaitValue(LongSlots slots, ChangeCursor cursor, long value) {
        while (slots.getVolatile(0) != value) {
            if (cursor.poll(WAIT).isEmpty() && slots.getVolatile(0) != value) {
                throw new IllegalStateException("no change within " + WAIT);
            }
        }
    }

    private static ArraySpec<Long> spec(Path dir, String name) {
        return MapSpec.array(name, Codec.i64(), 2).dir(dir);
    }
}
