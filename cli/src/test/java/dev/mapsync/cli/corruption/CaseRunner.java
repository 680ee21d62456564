package dev.mapsync.cli.corruption;

import dev.mapsync.Backend;
import dev.mapsync.HashSpec;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;
import dev.mapsync.SharedHashMap;
import dev.mapsync.cli.InProcessCli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The child JVM that runs cases, one after another, from a case file: for each it copies its kind's template (or
 * restores a bpf map's sidecar), writes the case's words, runs the operation (a command in this JVM, or an API call)
 * and appends {@code begin ID} and then the {@link Result} to the result file. The test that starts it watches that
 * file: a case that does not end in time is a hang, a JVM that dies is a crash, and it starts another runner at the
 * next case. Arguments: {@code TEMPLATES CASES CASEFILE RESULTFILE FIRST BPFNAME}.
 */
public final class CaseRunner {
    private static final Bytes LOGGED = new Bytes();

    public static void main(String[] args) throws Exception {
        // the library logs through System.Logger to the process's stderr, which a command's user sees too: keep it
        // apart per case, before anything creates the console handler that holds on to System.err
        System.setErr(new PrintStream(LOGGED, true, StandardCharsets.UTF_8));
        Path templates = Path.of(args[0]);
        Path cases = Path.of(args[1]);
        List<String> lines = Files.readAllLines(Path.of(args[2]));
        Path results = Path.of(args[3]);
        int first = Integer.parseInt(args[4]);
        String bpfName = args[5];
        byte[] sidecar = bpfName.equals("-") ? null : Files.readAllBytes(templates.resolve(bpfName));
        warmUp(templates, cases);
        for (int i = first; i < lines.size(); i++) {
            Case.Line c = Case.Line.parse(lines.get(i));
            append(results, "begin " + c.id());
            Result r = run(c, templates, cases, bpfName, sidecar);
            append(results, r.line());
        }
        append(results, "done");
        System.exit(0); // threads a command left (a watch's, a terminal's) must not keep the runner
    }

    private static Result run(Case.Line c, Path templates, Path cases, String bpfName, byte[] sidecar) throws IOException {
        MapKind kind = c.kind();
        Operation op = Operations.of(kind).get(c.opIndex());
        String name = kind.bpf ? bpfName : "c" + c.id();
        Path file = cases.resolve(name);
        if (kind.bpf) {
            // the kernel map's values as the template had them (through the template's sidecar), then the sidecar
            restore(file, sidecar);
            Templates.restoreValues(cases, name);
            restore(file, sidecar);
        } else {
            Files.copy(templates.resolve(kind.template), file);
        }
        boolean forged = !c.forged().equals("-");
        for (Poke p : c.pokes()) p.apply(file);
        if (forged && !op.watches()) Forger.forge(file, c.forged(), c.value());
        Stimulus stimulus = new Stimulus(kind, cases, name, file, forged ? c.forged() : null, c.value());
        LOGGED.reset();
        long start = System.nanoTime();
        Result r;
        try {
            r = op.isCli() ? cli(c.id(), op, kind.bpf ? "bpf:" + name : name, cases, stimulus, start)
                    : api(c.id(), kind, op, cases, name, stimulus, start);
        } finally {
            stimulus.close();
        }
        if (!kind.bpf) {
            Files.deleteIfExists(file);
            Files.deleteIfExists(cases.resolve(name + ".live"));
        }
        return r;
    }

    /**
     * Runs a few commands on copies of the templates first, so that a case's time is its own and not the loading of
     * the classes every command needs (a case after a crash or a hang starts a new runner).
     */
    private static void warmUp(Path templates, Path cases) throws IOException {
        for (MapKind kind : MapKind.values()) {
            if (kind.bpf) continue;
            Path copy = cases.resolve("warm");
            Files.copy(templates.resolve(kind.template), copy);
            for (Operation op : Operations.of(kind)) {
                if (op.isCli() && !op.watches() && !op.args().contains("rm")) {
                    InProcessCli.run(withDir(op.argsFor("warm"), cases));
                }
            }
            Files.deleteIfExists(copy);
            Files.deleteIfExists(cases.resolve("warm.live"));
        }
        LOGGED.reset();
    }

    private static void restore(Path sidecar, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(sidecar, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(bytes), 0);
        }
    }

    private static Result cli(int id, Operation op, String map, Path dir, Stimulus stimulus, long start) {
        String[] all = withDir(op.argsFor(map), dir);
        InProcessCli.Result r;
        if (op.follows()) {
            AtomicReference<InProcessCli.Result> done = new AtomicReference<>();
            Thread t = Thread.ofPlatform().start(() -> done.set(InProcessCli.run(all)));
            try {
                if (!t.join(java.time.Duration.ofMillis(op.timeoutMs()))) {
                    seal(dir, map);
                    t.join();
                }
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            r = done.get();
        } else if (op.watches()) {
            AtomicReference<InProcessCli.Result> done = new AtomicReference<>();
            Thread t = Thread.ofPlatform().start(() -> done.set(InProcessCli.run(all)));
            try {
                while (!t.join(java.time.Duration.ofMillis(10))) stimulus.run();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            r = done.get();
        } else {
            r = InProcessCli.run(all);
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        String first = r.out().lines().findFirst().orElse("");
        return new Result(id, r.code(), millis, first, r.err(), LOGGED.text());
    }

    /**
     * Seals the queue, as its producer would when it is done: through the API (which wakes its consumer), or, if the
     * map refuses that, by its sealed word (the consumer looks again within a second).
     */
    private static void seal(Path dir, String name) {
        try (dev.mapsync.SharedRing ring = dev.mapsync.SharedRing.open(MapSpec.existing(name).dir(dir))) {
            ring.seal();
        } catch (RuntimeException e) {
            dev.mapsync.testkit.Peer.putInt(dir.resolve(name), Geometry.SEALED, 1);
        }
    }

    /** {@code mapsync COMMAND [SUBCOMMAND] --dir=DIR ...}: the folder option after the command's names. */
    private static String[] withDir(String[] args, Path dir) {
        String[] all = new String[args.length + 1];
        int names = args[0].equals("queue") || args[0].equals("barrier") ? 2 : 1;
        System.arraycopy(args, 0, all, 0, names);
        all[names] = "--dir=" + dir;
        System.arraycopy(args, names, all, names + 1, args.length - names);
        return all;
    }

    private static Result api(int id, MapKind kind, Operation op, Path dir, String name, Stimulus stimulus, long start) {
        String outcome;
        try {
            Object v = ApiOperations.run(kind, op.name().substring(4),
                    new ApiOperations.Context(dir, name, kind.bpf ? Backend.BPF : Backend.SHM, stimulus));
            outcome = "ok " + String.valueOf(v).replace('\n', ' ');
        } catch (ApiOperations.WatchFailed w) {
            outcome = "watch failed: " + w.getCause().getClass().getSimpleName() + ": " + w.getCause().getMessage();
        } catch (Throwable t) {
            outcome = t.getClass().getSimpleName() + ": " + t.getMessage();
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        return new Result(id, -1, millis, outcome, "", LOGGED.text());
    }

    private static void append(Path results, String line) throws IOException {
        Files.writeString(results, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                StandardOpenOption.SYNC);
    }

    /**
     * What a watching operation needs to have something to read once it has subscribed: the case's forged change,
     * or a real change made through another handle (each call makes one more).
     */
    private static final class Stimulus implements Runnable {
        private final MapKind kind;
        private final Path dir;
        private final String name;
        private final Path file;
        private final String forged;
        private final long value;
        private AutoCloseable handle;
        private boolean failed;

        Stimulus(MapKind kind, Path dir, String name, Path file, String forged, long value) {
            this.kind = kind;
            this.dir = dir;
            this.name = name;
            this.file = file;
            this.forged = forged;
            this.value = value;
        }

        @Override
        public void run() {
            if (failed) return;
            try {
                if (forged != null) {
                    Forger.forge(file, forged, value);
                } else if (kind.isArray()) {
                    @SuppressWarnings("unchecked")
                    SharedArray<Object> a = (SharedArray<Object>) open();
                    (kind == MapKind.LONGS ? a.longs() : a.longs("balance")).getAndAdd(9, 0);
                } else if (kind == MapKind.HASH) {
                    @SuppressWarnings("unchecked")
                    SharedHashMap<Object, Object> h = (SharedHashMap<Object, Object>) open();
                    h.getAndAdd("k9", "balance", 0);
                }
            } catch (RuntimeException e) {
                failed = true; // the map refuses this writer too: the operation is on its own
            }
        }

        private AutoCloseable open() {
            if (handle == null) {
                Backend b = kind.bpf ? Backend.BPF : Backend.SHM;
                handle = kind == MapKind.HASH ? SharedHashMap.open(MapSpec.existing(name).dir(dir))
                        : SharedArray.open(MapSpec.existing(name).dir(dir).backend(b));
            }
            return handle;
        }

        void close() {
            try {
                if (handle != null) handle.close();
            } catch (Exception ignored) {
                // the case is over either way
            }
        }
    }

    /** Bytes written to the process's stderr during a case. */
    private static final class Bytes extends OutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            bytes.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            bytes.write(b, off, len);
        }

        synchronized void reset() {
            bytes.reset();
        }

        synchronized String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }
}
