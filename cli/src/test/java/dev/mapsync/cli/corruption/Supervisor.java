package dev.mapsync.cli.corruption;

import dev.mapsync.launch.ChildJvm;
import dev.mapsync.testkit.TestJvm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs cases in a child JVM ({@link CaseRunner}) with {@code -XX:ErrorFile} in the work folder, and watches it: a
 * case that does not end within its operation's timeout and {@link #HANG_MS} is a hang (its threads are dumped, the
 * runner killed); a runner that dies in a case is a crash (with its hs_err file). Either way a new runner goes on at
 * the next case, so one bad case never hides the others.
 */
final class Supervisor {
    private Supervisor() {}

    /** How long past its own timeout a case may run before it counts as hung and its runner is killed. */
    static final long HANG_MS = 20_000;
    /** How long a new runner may take to start its first case. */
    private static final long START_MS = 60_000;

    /** A case's result, or (result null) why there is none: "crash: ..." or "hang: ...". */
    record Outcome(Case c, Result result, String failure) {}

    static List<Outcome> run(List<Case> cases, Path work, Path templates, Path caseDir, String bpfName) {
        try {
            Path caseFile = work.resolve("cases.txt");
            List<String> lines = new ArrayList<>();
            for (Case c : cases) lines.add(c.line(Operations.of(c.kind()).indexOf(c.op())));
            Files.write(caseFile, lines);
            List<Outcome> outcomes = new ArrayList<>();
            int next = 0;
            for (int runner = 0; next < cases.size(); runner++) {
                next = runFrom(cases, next, runner, work, templates, caseDir, caseFile, bpfName, outcomes);
            }
            return outcomes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs cases from {@code first} in one runner until they are done or one crashes or hangs; returns the next. */
    private static int runFrom(List<Case> cases, int first, int runner, Path work, Path templates, Path caseDir,
                               Path caseFile, String bpfName, List<Outcome> outcomes) throws IOException {
        Path results = work.resolve("results-" + runner + ".txt");
        Map<Integer, Case> byId = new HashMap<>();
        for (Case c : cases) byId.put(c.id(), c);
        List<String> options = List.of("-XX:ErrorFile=" + work.resolve("hs_err_%p.log"), "-Xss1m");
        try (ChildJvm child = TestJvm.of(CaseRunner.class).jvmOptions(options).args(templates.toString(),
                caseDir.toString(), caseFile.toString(), results.toString(), Integer.toString(first), bpfName)
                .start()) {
            child.process().getOutputStream().close(); // stdin at its end: a command that reads keys (top) ends
            int next = first;
            Lines resultLines = new Lines(results);
            long caseStart = System.nanoTime();
            long limit = START_MS;
            while (true) {
                boolean alive = child.process().isAlive(); // before reading: a dead runner's lines are all read then
                List<String> got = resultLines.fresh();
                for (String line : got) {
                    if (line.equals("done")) return cases.size();
                    if (line.startsWith("begin ")) {
                        caseStart = System.nanoTime();
                        limit = cases.get(next).op().timeoutMs() + HANG_MS;
                        continue;
                    }
                    Result r = Result.parse(line);
                    outcomes.add(new Outcome(byId.get(r.id()), r, null));
                    next++;
                }
                if (!alive) {
                    String why = "crash: the runner died (exit " + child.process().exitValue() + ")" + hsErr(work)
                            + "; its output ended:\n" + tail(child.output());
                    outcomes.add(new Outcome(cases.get(next), null, why));
                    return next + 1;
                }
                if (TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - caseStart) > limit) {
                    String dump = threads(child.pid());
                    child.kill();
                    outcomes.add(new Outcome(cases.get(next), null, "hang: no end after " + limit + " ms; threads:\n" + dump));
                    return next + 1;
                }
                child.process().waitFor(20, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The hs_err files in the work folder, named, moved aside so that the next crash is told apart. */
    private static String hsErr(Path work) throws IOException {
        List<Path> found;
        try (Stream<Path> files = Files.list(work)) {
            found = files.filter(f -> f.getFileName().toString().startsWith("hs_err_")).toList();
        }
        StringBuilder b = new StringBuilder();
        for (Path f : found) {
            Path kept = work.resolve("crash-" + f.getFileName());
            Files.move(f, kept);
            b.append(", ").append(kept).append(": ").append(Files.readAllLines(kept).stream()
                    .filter(l -> l.startsWith("# Problematic frame") || l.startsWith("# J ") || l.startsWith("# j ")
                            || l.startsWith("# V ") || l.startsWith("#  SIG")).toList());
        }
        return b.toString();
    }

    /** The crashes the JVM reported in the work folder (hs_err files), over all runners. */
    static List<Path> crashFiles(Path work) {
        try (Stream<Path> files = Files.list(work)) {
            return files.filter(f -> f.getFileName().toString().contains("hs_err_")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String threads(long pid) {
        try {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(pid), "Thread.print").redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            p.waitFor(30, TimeUnit.SECONDS);
            String text = new String(out);
            // the threads that run cases, not the JVM's own
            return text.lines().filter(l -> !l.isBlank()).limit(120).reduce("", (a, b) -> a + b + "\n");
        } catch (IOException | InterruptedException e) {
            return "(no thread dump: " + e + ")";
        }
    }

    /** The complete lines added to a file since the last look. */
    private static final class Lines {
        private final Path file;
        private long position;
        private final java.io.ByteArrayOutputStream partial = new java.io.ByteArrayOutputStream();

        Lines(Path file) {
            this.file = file;
        }

        List<String> fresh() throws IOException {
            List<String> out = new ArrayList<>();
            if (!Files.exists(file)) return out;
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1 << 16);
                int n;
                while ((n = ch.read(b, position)) > 0) {
                    position += n;
                    for (int i = 0; i < n; i++) {
                        byte c = b.get(i);
                        if (c != '\n') {
                            partial.write(c);
                            continue;
                        }
                        out.add(partial.toString(java.nio.charset.StandardCharsets.UTF_8));
                        partial.reset();
                    }
                    b.clear();
                }
            }
            return out;
        }
    }

    private static String tail(String output) {
        List<String> lines = output.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }
}
