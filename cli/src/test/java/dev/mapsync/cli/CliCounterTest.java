package dev.mapsync.cli;

import dev.mapsync.MapSpec;
import dev.mapsync.SharedCounters;
import dev.mapsync.launch.ChildJvm;
import dev.mapsync.launch.Jvm;
import dev.mapsync.testkit.TestDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Counter maps on the command line: created with {@code create --type counter}, added to by several handles (each its
 * own cell), read as the sum by {@code get} and {@code dump}, cell by cell with {@code get --cells}, described by
 * {@code info} and {@code list}, exported as {@code mapsync_counter_total}, and the options that do not fit refused.
 */
class CliCounterTest {
    private Path dir;

    @BeforeEach
    void setUp() {
        dir = TestDirs.create();
    }

    @AfterEach
    void tearDown() {
        TestDirs.delete(dir);
    }

    private Cli ms(String... args) {
        return Cli.in(dir, args);
    }

    @Test
    void createAddGetDumpInfoAndList() {
        assertEquals("created requests: 3 counters of i64 (shm backend, " + dir.resolve("requests") + ", mode 0600)\n",
                ms("create", "requests", "--type", "counter", "--entries", "3").ok().out());
        assertEquals("5\n", ms("add", "requests", "0", "5").ok().out());
        assertEquals("-2\n", ms("add", "requests", "2", "-2").ok().out());
        try (SharedCounters other = SharedCounters.open(MapSpec.counters("requests", 3).dir(dir))) {
            other.add(0, 10);
            assertEquals("15\n", ms("get", "requests", "0").ok().out());
            String cells = ms("get", "requests", "0", "--cells").ok().out();
            List<String> lines = cells.lines().toList();
            long pid = ProcessHandle.current().pid();
            // create, the two add commands and the handle here each held a slot of their own (in this process)
            assertEquals(4, lines.size(), cells);
            assertTrue(lines.contains("slot " + other.slot() + " pid " + pid + " 10"), cells);
            assertEquals(List.of(" 0", " 0", " 10", " 5"), lines.stream()
                    .map(l -> l.substring(l.lastIndexOf(' '))).sorted().toList(), cells);
            assertTrue(lines.stream().allMatch(l -> l.matches("slot [0-9]+ pid " + pid + " -?[0-9]+")), cells);
            String json = ms("get", "requests", "0", "--cells", "--json").ok().out();
            assertTrue(json.startsWith("{\"cells\":[{\"slot\":"), json);
            assertTrue(json.endsWith("],\"sum\":15}\n"), json);
            assertTrue(json.contains("{\"slot\":" + other.slot() + ",\"pid\":" + pid + ",\"value\":10}"), json);
            assertEquals("15\n", ms("get", "requests", "0", "--json").ok().out());
        }
        assertEquals("0\t15\n1\t0\n2\t-2\n", ms("dump", "requests").ok().out());
        assertEquals("0\t15\n2\t-2\n", ms("dump", "requests", "--nonzero").ok().out());
        assertEquals("{\"index\":0,\"value\":15}\n{\"index\":2,\"value\":-2}\n",
                ms("dump", "requests", "--nonzero", "--json").ok().out());
        String info = ms("info", "requests").ok().out();
        assertTrue(info.contains("\ntype          counter\n"), info);
        assertTrue(info.contains("\ncounters      3 of i64, each one cell per process slot (blocks of 128 bytes); get"
                + " prints the sum, get --cells each cell\n"), info);
        assertTrue(ms("info", "requests", "--json").ok().out().contains("\"type\":\"counter\""));
        String list = ms("list").ok().out();
        assertTrue(list.lines().anyMatch(l -> l.startsWith("requests") && l.contains("(counters)")), list);
    }

    @Test
    void refusals() {
        ms("create", "c", "--type", "counter", "--entries", "2").ok();
        Cli bpf = ms("create", "bpf:c2", "--type", "counter", "--entries", "2");
        assertEquals(List.of(1, "mapsync: a counter map lives in shared memory only (shm backend): its cells are not"
                + " kept in a kernel map\n"),
                List.of(bpf.code(), bpf.err()));
        Cli value = ms("create", "c3", "--type", "counter", "--entries", "2", "--value", "u32");
        assertEquals(List.of(1, "mapsync: a counter map's counters are i64, not u32 (leave out --value)\n"),
                List.of(value.code(), value.err()));
        Cli key = ms("create", "c3", "--type", "counter", "--entries", "2", "--stripes", "2");
        assertEquals(List.of(1, "mapsync: --key, --lru, --spin-lock, --per-cpu, --stripes and --changelog are not for"
                + " counter maps, which have counters 0..N-1 of i64, no locks and no change log\n"),
                List.of(key.code(), key.err()));
        Cli many = ms("create", "c3", "--type", "counter", "--entries", "1025");
        assertEquals(List.of(1, "mapsync: a counter map has 1 to 1024 counters, not 1025\n"), List.of(many.code(), many.err()));
        Cli noValue = ms("create", "a", "--entries", "2");
        assertEquals(List.of(1, "mapsync: an array map needs a value schema: --value SCHEMA (such as i64 or"
                + " id:i64,owner:char[16])\n"), List.of(noValue.code(), noValue.err()));
        Cli out = ms("get", "c", "2");
        assertEquals(List.of(1, "mapsync: index 2 is out of range for counter map 'c' (0..1)\n"), List.of(out.code(), out.err()));
        Cli delta = ms("add", "c", "0", "x");
        assertEquals(List.of(1, "mapsync: 'x' is not an integer delta for a 64-bit counter (-9223372036854775808.."
                + "9223372036854775807)\n"), List.of(delta.code(), delta.err()));
        Cli field = ms("add", "c", "0", "1", "--field", "a");
        assertEquals(List.of(1, "mapsync: --field is for records; a counter is one i64\n"), List.of(field.code(), field.err()));
        Cli set = ms("set", "c", "0", "1");
        assertEquals(List.of(3, "mapsync: map 'c' is a counter map; mapsync set works on array and hash maps\n"),
                List.of(set.code(), set.err()));
        Cli perCpu = ms("get", "c", "0", "--per-cpu");
        assertEquals(List.of(1, "mapsync: --per-cpu is for per-CPU kernel maps; a counter map has --cells\n"),
                List.of(perCpu.code(), perCpu.err()));
        ms("create", "arr", "--value", "i64", "--entries", "2").ok();
        Cli cells = ms("get", "arr", "0", "--cells");
        assertEquals(List.of(1, "mapsync: --cells is for counter maps (create --type counter)\n"),
                List.of(cells.code(), cells.err()));
        assertEquals("0\n0\n", ms("get", "c", "0").ok().out() + ms("get", "c", "1").ok().out());
    }

    @Test
    void theExporterServesEachSumAsACounter() throws Exception {
        try (SharedCounters c = SharedCounters.create(MapSpec.counters("hits", 3).dir(dir))) {
            c.add(0, 7);
            c.add(1, 1L << 40);
            c.add(2, -1);
            ChildJvm exporter = Jvm.main(Main.class).args("export", "--dir", dir.toString(), "--port", "0", "hits")
                    .stderrToStdout().start();
            try {
                String first = new BufferedReader(new InputStreamReader(exporter.process().getInputStream())).readLine();
                assertTrue(first != null && first.startsWith("mapsync: serving http://127.0.0.1:"), first);
                URI uri = URI.create(first.substring("mapsync: serving ".length()));
                String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                assertEquals(List.of("mapsync_counter_negative{map=\"hits\"} 1.0",
                        "mapsync_counter_total{key=\"0\",map=\"hits\"} 7.0",
                        "mapsync_counter_total{key=\"1\",map=\"hits\"} 1.099511627776E12"),
                        body.lines().filter(l -> l.startsWith("mapsync_counter")).sorted().toList());
                assertTrue(body.contains("# TYPE mapsync_counter_total counter\n"), body);
                c.add(0, 3);
                body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                assertTrue(body.contains("mapsync_counter_total{key=\"0\",map=\"hits\"} 10.0\n"), body);
            } finally {
                exporter.process().destroy();
                exporter.process().waitFor();
            }
        }
    }
}
