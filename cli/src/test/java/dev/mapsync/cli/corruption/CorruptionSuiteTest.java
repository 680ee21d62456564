package dev.mapsync.cli.corruption;

import dev.mapsync.Backend;
import dev.mapsync.MapSpec;
import dev.mapsync.MapSyncException;
import dev.mapsync.SharedMaps;
import dev.mapsync.launch.ChildJvm;
import dev.mapsync.testkit.Machine;
import dev.mapsync.testkit.TestDirs;
import dev.mapsync.testkit.TestJvm;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The corruption suite: copies of maps of every kind, with one word of one region set to garbage, zeros, all-ones or
 * a boundary value, under every command and Java API call that uses that kind of map, in a child JVM that may crash
 * or hang without taking the test with it. Every case must end within its own timeout with a documented outcome
 * ({@link Judge}); no JVM may crash.
 *
 * <p>By default a sample of {@value #SAMPLE} cases runs (every field and every operation at least once); with
 * {@code -Dmapsync.fullCorruption=true} every case does. {@code -Dmapsync.corruptionSeed=N} repeats a run (the seed
 * chooses the garbage and the sample, and is printed); {@code -Dmapsync.corruptionSample=N} changes the sample's size;
 * {@code -Dmapsync.corruptionMatch=REGEX} runs the cases of the full set whose description (as failures print it:
 * {@code case 17: RECORDS, header: ready = 0 (0, 0x0), cli get {map} 3}) matches.
 */
class CorruptionSuiteTest {
    static final int SAMPLE = 500;

    @Test
    void everyCorruptionOfEveryMapEndsCleanlyInTime() throws Exception {
        boolean full = Boolean.getBoolean("mapsync.fullCorruption");
        long seed = Long.getLong("mapsync.corruptionSeed", System.nanoTime());
        int sampleSize = Integer.getInteger("mapsync.corruptionSample", SAMPLE);
        System.out.println("corruption suite: seed " + seed + " (repeat with -Dmapsync.corruptionSeed=" + seed + ")");
        Path work = TestDirs.create();
        String bpf = null;
        try {
            Path templates = Files.createDirectory(work.resolve("templates"));
            Path caseDir = Files.createDirectory(work.resolve("cases"));
            if (Machine.lacks(Backend.BPF, "corruption of bpf sidecars") == null) bpf = "cs" + Long.toHexString(System.nanoTime());
            try (ChildJvm maker = TestJvm.start(Templates.class, templates.toString(), bpf == null ? "-" : bpf)) {
                assertEquals(0, maker.await(120), maker.output());
                assertTrue(maker.output().contains("ready"), maker.output());
            }
            if (bpf != null) Files.copy(templates.resolve(bpf), caseDir.resolve(bpf));
            Map<MapKind, List<Field>> fields = new LinkedHashMap<>();
            for (MapKind kind : MapKind.values()) {
                if (kind.bpf && bpf == null) continue;
                fields.put(kind, Fields.of(kind, templates.resolve(kind.bpf ? bpf : kind.template)));
            }
            List<Case> all = Cases.all(fields, seed);
            List<Case> cases = full ? all : Cases.sample(all, seed, sampleSize);
            String match = System.getProperty("mapsync.corruptionMatch");
            if (match != null) {
                java.util.regex.Pattern p = java.util.regex.Pattern.compile(match);
                cases = all.stream().filter(c -> p.matcher(c.describe()).find()).toList();
            }
            System.out.println("corruption suite: " + cases.size() + " cases of " + all.size()
                    + (full ? " (the full set)" : " (a sample; -Dmapsync.fullCorruption=true runs all)"));
            long start = System.nanoTime();
            List<Supervisor.Outcome> outcomes = Supervisor.run(cases, work, templates, caseDir, bpf == null ? "-" : bpf);
            report(outcomes, (System.nanoTime() - start) / 1_000_000_000.0, Supervisor.crashFiles(work));
        } finally {
            if (bpf != null) {
                try {
                    SharedMaps.delete(MapSpec.existing(bpf).dir(work.resolve("cases")).backend(Backend.BPF));
                } catch (MapSyncException ignored) {
                    // gone already
                }
            }
            TestDirs.delete(work);
        }
    }

    private static void report(List<Supervisor.Outcome> outcomes, double seconds, List<Path> crashFiles) {
        List<String> failures = new ArrayList<>();
        Map<String, Integer> counts = new TreeMap<>();
        int crashes = 0, hangs = 0;
        for (Supervisor.Outcome o : outcomes) {
            if (o.result() == null) {
                if (o.failure().startsWith("crash")) crashes++;
                else hangs++;
                failures.add(o.c().describe() + "\n    " + o.failure().replace("\n", "\n    "));
                continue;
            }
            Result r = o.result();
            String code = o.c().op().isCli() ? "exit " + r.code() : r.outcome().startsWith("ok") ? "api ok"
                    : "api " + r.outcome().substring(0, Math.max(0, r.outcome().indexOf(':')));
            counts.merge(code, 1, Integer::sum);
            List<String> problems = Judge.problems(o.c(), r);
            if (!problems.isEmpty()) {
                failures.add(o.c().describe() + "\n    " + String.join("\n    ", problems));
                counts.merge("defective", 1, Integer::sum);
            }
        }
        System.out.printf("corruption suite: %d cases in %.1f s: %d crashes, %d hangs, %d other defects; outcomes %s%n",
                outcomes.size(), seconds, crashes, hangs, failures.size() - crashes - hangs, counts);
        Map<String, long[]> time = new TreeMap<>();
        for (Supervisor.Outcome o : outcomes) {
            if (o.result() == null) continue;
            long[] t = time.computeIfAbsent(o.c().kind() + " " + o.c().op().name(), k -> new long[2]);
            t[0]++;
            t[1] += o.result().millis();
        }
        time.forEach((op, t) -> System.out.printf("corruption suite: %6.0f ms on average, %4d cases: %s%n",
                (double) t[1] / t[0], t[0], op));
        failures.stream().limit(300).forEach(f -> System.out.println("DEFECT " + f));
        assertEquals(List.of(), crashFiles, "the JVM crashed");
        assertEquals(0, failures.size(), failures.size() + " cases misbehaved (listed above); first: "
                + (failures.isEmpty() ? "" : failures.getFirst()));
    }
}
