package dev.mapsync.cli;

import dev.mapsync.testkit.Machine;
import dev.mapsync.testkit.TestDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hash maps from the command line: create, set, get, rm-key, dump, info, list, on both backends. */
class CliHashTest {
    private Path dir;
    private String name;

    @BeforeEach
    void setUp() throws IOException {
        dir = TestDirs.create();
        name = "s" + Long.toHexString(System.nanoTime());
    }

    @AfterEach
    void tearDown() throws IOException {
        Cli.run("rm", "--dir=" + dir, "-f", name, "bpf:" + name);
        TestDirs.delete(dir);
    }

    private Cli ms(String... args) {
        return Cli.in(dir, args);
    }

    private static Cli ok(Cli c) {
        return c.ok();
    }

    private static List<String> sortedLines(String out) {
        return Arrays.stream(out.split("\n")).filter(l -> !l.isEmpty()).sorted().toList();
    }

    /** Skips (saying why) when this process cannot make kernel maps. */
    private static void assumeBackend(String backend) {
        if (backend.equals("bpf")) Machine.requireBpf();
    }

    @ParameterizedTest
    @ValueSource(strings = {"shm", "bpf"})
    void lockHoldsAKeysLockWhileItsCommandRunsAndOthersWait(String backend) throws Exception {
        assumeBackend(backend);
        String map = backend.equals("bpf") ? "bpf:" + name : name;
        ok(ms("create", map, "--type", "hash", "--key", "char[16]", "--value", "i64", "--entries", "100"));
        ok(ms("set", map, "ada", "1"));
        // the command's own exit status, and the key's lock is free again after
        assertEquals(3, ms("lock", map, "ada", "--", "sh", "-c", "exit 3").code());
        Path marker = dir.resolve("held");
        // while one lock command holds the key, another times out (124) and a set of the key waits for it
        var holder = java.util.concurrent.CompletableFuture.supplyAsync(() -> ms("lock", map, "ada", "--", "sh", "-c",
                "touch " + marker + "; while [ -e " + marker + " ]; do sleep 0.01; done"));
        while (!java.nio.file.Files.exists(marker)) Thread.onSpinWait();
        String[] listing = ok(ms("locks", map)).out().split("\n");
        assertEquals(2, listing.length, String.join("\n", listing));
        assertTrue(listing[1].matches("segment \\d+ +\\d+ alive .*"), listing[1]);
        assertTrue(ok(ms("locks", map, "--json")).out().startsWith("[{\"lock\":\"segment\",\"stripe\":"));
        Cli waited = ms("lock", map, "ada", "--timeout", "100ms", "--", "true");
        assertEquals(124, waited.code());
        assertTrue(waited.err().startsWith("mapsync: timed out after "), waited.err());
        java.nio.file.Files.delete(marker);
        assertEquals(0, holder.get(30, java.util.concurrent.TimeUnit.SECONDS).code());
        assertEquals("", ok(ms("locks", map)).out());
        assertEquals(0, ms("lock", map, "ada", "--timeout", "5s", "--", "true").code());
        Cli bad = ms("lock", map, "a-key-longer-than-sixteen-bytes", "--", "true");
        assertEquals(1, bad.code());
        assertEquals("mapsync: key of map '" + name + "': string of 31 bytes does not fit in char[16]"
                + " (\"a-key-longer-than-sixteen-bytes\")\n", bad.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"shm", "bpf"})
    void addAndCasTakeAHashMapsKey(String backend) {
        assumeBackend(backend);
        String map = backend.equals("bpf") ? "bpf:" + name : name;
        ok(ms("create", map, "--type", "hash", "--key", "char[16]", "--value", "user:i64,hits:u32", "--entries", "100"));
        ok(ms("set", map, "ada", "user=7,hits=1"));
        assertEquals("3\n", ok(ms("add", map, "ada", "2", "--field", "hits")).out());
        assertEquals("5\n", ok(ms("add", map, "bob", "5", "--field", "hits")).out());    // inserted with zeros
        assertEquals("user=0,hits=5\n", ok(ms("get", map, "bob")).out());
        assertEquals("4294967295\n", ok(ms("add", map, "bob", "-6", "--field", "hits")).out()); // u32 wraps
        assertEquals("3\n", ok(ms("cas", map, "ada", "3", "10", "--field", "hits")).out());
        Cli lost = ms("cas", map, "ada", "3", "11", "--field", "hits");
        assertEquals(6, lost.code());
        assertEquals("10\n", lost.out());
        assertEquals("user=7,hits=10\n", ok(ms("get", map, "ada")).out()); // the other field kept
        Cli absent = ms("cas", map, "nobody", "0", "1", "--field", "hits");
        assertEquals(2, absent.code());
        assertEquals("mapsync: map '" + name + "' has no key nobody\n", absent.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"shm", "bpf"})
    void waitTakesAHashMapsKeyAndEndsWhenItHasTheValue(String backend) throws Exception {
        assumeBackend(backend);
        String map = backend.equals("bpf") ? "bpf:" + name : name;
        ok(ms("create", map, "--type", "hash", "--key", "char[16]", "--value", "user:i64,state:u32", "--entries", "100"));
        Cli absent = ms("wait", map, "job7", "--until", "state=2", "--timeout", "100ms");
        assertEquals(124, absent.code());
        assertEquals("", absent.err());
        var waiting = java.util.concurrent.CompletableFuture.supplyAsync(() ->
                ms("wait", map, "job7", "--until", "state=2", "--timeout", "30s"));
        ok(ms("set", map, "job7", "user=1,state=1"));
        ok(ms("set", map, "job7", "state=2"));
        Cli done = waiting.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(0, done.code(), done.err());
        assertEquals(0, ms("wait", map, "job7", "--until", "user=1", "--timeout", "1s").code()); // other fields match anything
        assertEquals(124, ms("wait", map, "job7", "--until", "state=3", "--timeout", "100ms").code());
    }

    @ParameterizedTest
    @ValueSource(strings = {"shm", "bpf"})
    void watchPrintsEachKeysChangesOfAHashMap(String backend) throws Exception {
        assumeBackend(backend);
        String map = backend.equals("bpf") ? "bpf:" + name : name;
        ok(ms("create", map, "--type", "hash", "--key", "char[8]", "--value", "i64", "--entries", "16"));
        var json = java.util.concurrent.CompletableFuture.supplyAsync(() -> ms("watch", map, "--json", "--count", "2",
                "--timeout", "30s"));
        var text = java.util.concurrent.CompletableFuture.supplyAsync(() -> ms("watch", map, "--count", "1",
                "--timeout", "30s"));
        try (var h = dev.mapsync.SharedHashMap.open(dev.mapsync.MapSpec.existing(name).dir(dir)
                .backend(backend.equals("bpf") ? dev.mapsync.Backend.BPF : dev.mapsync.Backend.SHM))) {
            // keep changing until both watchers have subscribed and seen their changes
            for (long v = 1; !(json.isDone() && text.isDone()); v++) {
                h.put("a", v);
                Thread.sleep(5);
            }
        }
        String pid = Long.toString(ProcessHandle.current().pid());
        Cli j = json.get();
        assertEquals(0, j.code(), j.err());
        String[] lines = j.out().strip().split("\n");
        assertEquals(2, lines.length, j.out());
        for (String line : lines) {
            assertTrue(line.matches("\\{\"key\":\"a\",\"kind\":\"put\",\"seq\":\\d+,\"pid\":" + pid
                    + ",\"value\":\\d+}"), line);
        }
        Cli t = text.get();
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().matches("seq \\d+ key a pid " + pid + " put value \\d+\n"), t.out());
        Cli keys = ms("watch", map, "--keys", "0-3", "--count", "1");
        assertEquals(1, keys.code());
        assertEquals("mapsync: --keys takes an array's indexes; on a hash map, watch prints every key\n", keys.err());
        Cli poll = ms("watch", map, "--poll", "10ms", "--count", "1");
        assertEquals(1, poll.code());
        assertEquals("mapsync: --poll is for arrays; a hash map is watched through its change log\n", poll.err());
    }

    @Test
    void unlockFreesTheLockOfAKeyWhoseOwnerDiedAndRefusesALiveOnes() throws Exception {
        ok(ms("create", name, "--type", "hash", "--key", "char[16]", "--value", "i64", "--entries", "100"));
        Path marker = dir.resolve("held");
        try (dev.mapsync.launch.ChildJvm holder = dev.mapsync.testkit.TestJvm.start(Main.class, "lock", "--dir=" + dir,
                name, "ada", "--", "sh", "-c", "touch " + marker + "; while [ -e " + marker + " ]; do sleep 0.01; done")) {
            while (!java.nio.file.Files.exists(marker)) Thread.onSpinWait();
            Cli alive = ms("unlock", name, "ada", "--force");
            assertEquals(6, alive.code());
            assertTrue(alive.err().matches("mapsync: refusing to free the lock of stripe \\d+ of map '" + name
                    + "': its owner, pid \\d+, is alive\n"), alive.err());
            holder.kill(); // SIGKILL: the lock's owner dies holding it
        } finally {
            java.nio.file.Files.deleteIfExists(marker); // ends the command the lock held
        }
        Cli freed = ms("unlock", name, "ada", "--force");
        assertEquals(0, freed.code(), freed.err());
        assertTrue(freed.out().matches("freed the lock of stripe \\d+ of map '" + name
                + "', whose owner \\(pid \\d+\\) had died\n"), freed.out());
        assertEquals("", ok(ms("locks", name)).out());
        ok(ms("set", name, "ada", "1")); // the key's writes go on
        Cli free = ms("unlock", name, "ada", "--force");
        assertEquals(6, free.code());
        assertTrue(free.err().matches("mapsync: the lock of stripe \\d+ of map '" + name + "' is not held\n"), free.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"shm", "bpf"})
    void aHashMapFromCreateToRmKey(String backend) {
        assumeBackend(backend);
        String map = backend.equals("bpf") ? "bpf:" + name : name;
        Cli created = ok(ms("create", map, "--type", "hash", "--key", "char[16]", "--value", "user:i64,hits:u32", "--entries", "100"));
        assertEquals("created " + map + ": hash map of char[16] -> user:i64,hits:u32, capacity 100 (" + backend + " backend, "
                + dir.resolve(name) + ", mode 0600)\n", created.out());
        ok(ms("set", map, "ada", "user=7"));
        assertEquals("user=7,hits=0\n", ok(ms("get", map, "ada")).out());
        ok(ms("set", map, "ada", "hits=3"));
        assertEquals("user=7,hits=3\n", ok(ms("get", map, "ada")).out(), "fields not named keep their values");
        assertEquals("{\"user\":7,\"hits\":3}\n", ok(ms("get", map, "ada", "--json")).out());
        ok(ms("set", map, "\"a, b\"", "user=1,hits=4294967295"));
        assertEquals("user=1,hits=4294967295\n", ok(ms("get", map, "\"a, b\"")).out());

        assertEquals(List.of("\"a, b\"\tuser=1,hits=4294967295", "ada\tuser=7,hits=3"), sortedLines(ok(ms("dump", map)).out()));
        assertEquals(List.of("{\"key\":\"a, b\",\"value\":{\"user\":1,\"hits\":4294967295}}", "{\"key\":\"ada\",\"value\":{\"user\":7,\"hits\":3}}"),
                sortedLines(ok(ms("dump", map, "--json")).out()));

        Cli absent = ms("get", map, "bob");
        assertEquals(2, absent.code());
        assertEquals("mapsync: map '" + name + "' has no key bob\n", absent.err());
        Cli tooLong = ms("set", map, "12345678901234567", "user=1");
        assertEquals(1, tooLong.code());
        assertEquals("mapsync: key of map '" + name + "': string of 17 bytes does not fit in char[16] (\"12345678901234567\")\n",
                tooLong.err());

        String info = ok(ms("info", map)).out();
        assertTrue(info.contains("\ntype          hash\nbackend       " + backend + "\n"), info);
        assertTrue(info.contains("\nkey           char[16] (16 bytes)\nvalue         user:i64,hits:u32 (16 bytes)\ncapacity      100\n"
                + "entries       2 (fill 2.0%)\n"), info);
        if (backend.equals("shm")) {
            assertTrue(info.contains("\naccess        shared memory\n"), info);
            assertTrue(info.matches("(?s).*\nprobe         longest [12] slots? \\(272 slots in 1 segment\\)\ntombstones    0\n.*"), info);
        } else {
            assertTrue(info.contains("\naccess        syscall\n"), info);
            assertTrue(info.contains("\nkernel map    hash\n"), info);
            assertTrue(info.contains("\nprobe         not visible (the kernel's buckets)\n"), info);
        }
        String json = ok(ms("info", map, "--json")).out();
        assertTrue(json.contains("\"type\":\"hash\",\"backend\":\"" + backend + "\",\"key_schema\":\"char[16]\",\"key_size\":16,"
                + "\"value_schema\":\"user:i64,hits:u32\",\"value_size\":16,\"capacity\":100,\"entries\":2,\"fill_ratio\":0.02,"), json);

        assertEquals(String.format("%-24s %-7s %-6s %9d  %s%n", map, backend, "hash", 100, "char[16] -> user:i64,hits:u32"),
                ok(ms("list")).out().lines().skip(1).map(l -> l + "\n").reduce("", String::concat));

        ok(ms("rm-key", map, "ada"));
        Cli again = ms("rm-key", map, "ada", "\"a, b\"");
        assertEquals(2, again.code());
        assertEquals("mapsync: map '" + name + "' has no key ada\n", again.err());
        assertEquals("", ok(ms("dump", map)).out());
        ok(ms("rm-key", map, "-f", "ada"));
        ok(ms("rm", map));
        assertEquals("", ms("list").out());
    }

    @Test
    void structKeysAreGivenFieldByField() {
        ok(ms("create", name, "--type", "hash", "--key", "src:u32,port:u16", "--value", "u64", "--entries", "10"));
        ok(ms("set", name, "src=10,port=443", "5"));
        ok(ms("set", name, "port=80", "6"));
        assertEquals("5\n", ok(ms("get", name, "src=10,port=443")).out());
        assertEquals("6\n", ok(ms("get", name, "src=0,port=80")).out(), "fields of a key not named are 0");
        assertEquals(List.of("src=0,port=80\t6", "src=10,port=443\t5"), sortedLines(ok(ms("dump", name)).out()));
        assertEquals(List.of("{\"key\":{\"src\":0,\"port\":80},\"value\":6}", "{\"key\":{\"src\":10,\"port\":443},\"value\":5}"),
                sortedLines(ok(ms("dump", name, "--json")).out()));
        Cli badField = ms("get", name, "dst=1");
        assertEquals(1, badField.code());
        assertEquals("mapsync: key of map '" + name + "': no field 'dst' in src:u32,port:u16 (name fields as field=value,"
                + " nested ones as a.b=value)\n", badField.err());
    }

    @Test
    void wrongUsesSayWhatIsWrong() {
        Cli noKey = ms("create", name, "--type", "hash", "--value", "u64", "--entries", "10");
        assertEquals(1, noKey.code());
        assertEquals("mapsync: a hash map needs a key schema: --key SCHEMA (such as u64 or char[32])\n", noKey.err());
        Cli arrayKey = ms("create", name, "--key", "u64", "--value", "u64", "--entries", "10");
        assertEquals(1, arrayKey.code());
        assertEquals("mapsync: --key, --lru and --spin-lock are for hash maps (--type hash); an array's keys are its indexes\n",
                arrayKey.err());
        Cli lruShm = ms("create", name, "--type", "hash", "--key", "u64", "--value", "u64", "--entries", "10", "--lru");
        assertEquals(1, lruShm.code());
        assertEquals("mapsync: map '" + name + "': LRU eviction is a kernel hash map feature; use the bpf backend\n", lruShm.err());
        Cli type = ms("create", name, "--type", "tree", "--value", "u64", "--entries", "10");
        assertEquals("mapsync: unknown map type 'tree' (known: array, hash, counter)\n", type.err());

        ok(ms("create", name, "--value", "u64", "--entries", "4"));
        Cli rmKey = ms("rm-key", name, "1");
        assertEquals(1, rmKey.code());
        assertEquals("mapsync: map '" + name + "' is an array map; rm-key removes the keys of hash maps (an array's entries"
                + " always exist: set them instead)\n", rmKey.err());
        Cli notAnIndex = ms("get", name, "one");
        assertEquals(1, notAnIndex.code());
        assertEquals("mapsync: Invalid value for positional parameter at index 1 (INDEX): 'one' is not an int\n"
                + "Try 'mapsync get --help' for more information.\n", notAnIndex.err(), "as before INDEX also took keys");
        Cli full = Cli.run("--help");
        assertTrue(full.out().contains("  rm-key "), full.out());
    }

    @Test
    void aFullHashMapIsAnError() {
        ok(ms("create", name, "--type", "hash", "--key", "u16", "--value", "u8", "--entries", "2"));
        ok(ms("set", name, "1", "1"));
        ok(ms("set", name, "2", "2"));
        Cli full = ms("set", name, "3", "3");
        assertEquals(5, full.code());
        assertEquals("mapsync: map '" + name + "' is full: it holds 2 entries, its capacity is 2; remove keys or create the map"
                + " with a larger capacity\n", full.err());
        ok(ms("set", name, "2", "20"));
        assertEquals(List.of("1\t1", "2\t20"), sortedLines(ok(ms("dump", name)).out()));
    }
}
