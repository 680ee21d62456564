package dev.mapsync.cli;

import dev.mapsync.Backend;
import dev.mapsync.internal.store.Bpffs;
import dev.mapsync.testkit.Machine;
import dev.mapsync.testkit.TestDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A short chaos soak on each backend, as CI runs it: worker processes of every kind killed and restarted for a few
 * rounds, and every invariant holding after each (README: how to run an hour of it).
 */
class ChaosTest {
    private static final Pattern ROUND = Pattern.compile(
            "round (\\d+) \\([^)]*\\): (\\d+) kills? \\(.*; violations (\\d+), crashes (\\d+), hangs (\\d+)");

    private Path dir;

    @BeforeEach
    void setUp() {
        dir = TestDirs.create();
    }

    @AfterEach
    void tearDown() {
        TestDirs.delete(dir);
    }

    @Test
    void killedWorkersBreakNoInvariantOnShm() throws IOException {
        Machine.require(Backend.SHM); // noted for the test summary; shm runs everywhere
        soak(Backend.SHM, "2");
    }

    @Test
    void killedWorkersBreakNoInvariantOnBpf() throws IOException {
        Machine.require(Backend.BPF);
        soak(Backend.BPF, "2");
    }

    @Test
    void badOptionsAreRefusedBeforeAnythingIsMade() throws IOException {
        String[][] bad = {
                {"--processes", "1", "--processes must be 2..8, not 1"},
                {"--processes", "9", "--processes must be 2..8, not 9"},
                {"--kills", "0", "--kills must be 1..100, not 0"},
                {"--round", "500ms", "--round must be at least 1s, not 500 ms"},
                {"--rounds", "-1", "--rounds must be 0 (no limit) or more, not -1"},
                {"--duration", "0s", "--duration must be more than 0"},
                {"--backend", "nope", "unknown backend 'nope' (shm or bpf)"}};
        for (String[] b : bad) {
            Cli c = Cli.in(dir, "chaos", b[0], b[1]);
            assertEquals(1, c.code(), () -> String.join(" ", b) + ": " + c.err());
            assertEquals("mapsync: " + b[2] + "\n", c.err(), String.join(" ", b));
            assertEquals("", c.out(), String.join(" ", b));
        }
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of(), left.toList(), "a refused soak makes nothing");
        }
    }

    private void soak(Backend backend, String rounds) throws IOException {
        Cli c = Cli.in(dir, "chaos", "--backend", backend.name().toLowerCase(java.util.Locale.ROOT), "--rounds", rounds,
                "--round", "2s", "--kills", "2", "--duration", "10m", "--seed", "7", "--json");
        System.out.print(c.out()); // the figures, in the test's log
        assertEquals(0, c.code(), () -> "exit " + c.code() + "\nstdout: " + c.out() + "\nstderr: " + c.err());
        List<String> lines = c.out().lines().toList();
        List<Matcher> roundLines = lines.stream().map(ROUND::matcher).filter(Matcher::matches).toList();
        assertEquals(Integer.parseInt(rounds), roundLines.size(), c.out());
        long kills = 0;
        for (int r = 0; r < roundLines.size(); r++) {
            Matcher m = roundLines.get(r);
            assertEquals(r + 1, Integer.parseInt(m.group(1)), c.out());
            assertEquals("0 0 0", m.group(3) + " " + m.group(4) + " " + m.group(5), c.out());
            kills += Long.parseLong(m.group(2));
        }
        String json = lines.getLast();
        assertTrue(json.startsWith("{\"ok\":true,\"backend\":\"" + backend.name().toLowerCase(java.util.Locale.ROOT)
                + "\",\"seed\":7,\"processes\":10,"), json);
        assertEquals(rounds, field(json, "rounds"), json);
        assertEquals(Long.toString(kills), field(json, "kills"), json);
        assertTrue(kills >= 1, json);
        assertEquals("0", field(json, "violations"), json);
        assertEquals("0", field(json, "crashes"), json);
        assertEquals("0", field(json, "hangs"), json);
        assertTrue(lines.contains("result: OK, every invariant held"), c.out());
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of(), left.toList(), "a soak that held removes its folder");
        }
        if (backend == Backend.BPF && Files.isDirectory(Bpffs.MAPSYNC_DIR)) {
            try (Stream<Path> pins = Files.list(Bpffs.MAPSYNC_DIR)) {
                String prefix = "chaos" + ProcessHandle.current().pid() + "-";
                assertEquals(List.of(), pins.filter(p -> p.getFileName().toString().startsWith(prefix)).toList(),
                        "a soak removes its pins");
            }
        }
    }

    /** The value of a top-level number or string field of a flat JSON object. */
    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":(\"[^\"]*\"|[^,}]+)").matcher(json);
        assertTrue(m.find(), () -> name + " is missing from " + json);
        return m.group(1);
    }
}
