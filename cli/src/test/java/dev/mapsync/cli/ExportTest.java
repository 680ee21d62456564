package dev.mapsync.cli;

import dev.mapsync.Chars;
import dev.mapsync.Codec;
import dev.mapsync.HashSpec;
import dev.mapsync.LockGuard;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;
import dev.mapsync.SharedBarrier;
import dev.mapsync.SharedHashMap;
import dev.mapsync.SharedQueue;
import dev.mapsync.SharedRing;
import dev.mapsync.launch.Jvm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code mapsync export}, run as its own process and scraped over HTTP. */
class ExportTest {
    record Account(long id, long balance, @Chars(8) String owner, double rate, boolean open) {}

    private Path dir;

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createTempDirectory(Path.of("/dev/shm"), "mapsync-export-");
    }

    @AfterEach
    void tearDown() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    record Hits(int hits, long last) {}

    /** What the exporter says of a map over the limit, at start or at the first scrape that finds it over. */
    private static String overTheLimit(String map, long entries, long series, long limit) {
        return "mapsync: map '" + map + "' has " + entries + " entries (" + series + " value series), over the limit of "
                + limit + " series a map: serving its health only; choose entries with --keys, or raise the limit with"
                + " --max-series N";
    }

    /** An exporter in its own process: the lines it printed before it served, and where it serves. */
    private record Exporter(Process process, BufferedReader out, List<String> before, String url) implements AutoCloseable {
        String scrape() throws Exception {
            return get().body();
        }

        HttpResponse<String> get() throws Exception {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        /** The next line it prints (its output is read in order: what it said at a scrape comes after the URL). */
        String nextLine() throws IOException {
            return out.readLine();
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Starts {@code mapsync export --dir DIR --port 0 ARGS} and reads what it prints up to the URL it serves. */
    private Exporter start(String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of("export", "--dir", dir.toString(), "--port", "0"));
        all.addAll(Arrays.asList(args));
        Process p = Jvm.main(Main.class).args(all).stderrToStdout().start().process();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
        List<String> before = new ArrayList<>();
        for (String line = out.readLine(); ; line = out.readLine()) {
            if (line == null) {
                p.destroy();
                throw new AssertionError("the exporter ended before serving; it printed " + before);
            }
            if (line.startsWith("mapsync: serving http://127.0.0.1:")) {
                return new Exporter(p, out, before, line.substring("mapsync: serving ".length()));
            }
            before.add(line);
        }
    }

    /** The {@code mapsync_value} samples of {@code map} in a scraped body, sorted. */
    private static List<String> values(String body, String map) {
        return body.lines().filter(l -> l.startsWith("mapsync_value{") && l.contains("map=\"" + map + "\"")).sorted().toList();
    }

    @Test
    void hashMapsAreExportedByKey() throws Exception {
        try (SharedHashMap<String, Hits> sessions = SharedHashMap.create(
                HashSpec.of("sessions", Codec.chars(8), Codec.record(Hits.class), 16).dir(dir))) {
            sessions.put("ada", new Hits(3, 100));
            sessions.put("bob", new Hits(5, 200));
            try (Exporter exporter = start("sessions")) {
                String body = exporter.scrape();
                assertEquals(List.of(
                        "mapsync_value{field=\"hits\",key=\"ada\",map=\"sessions\"} 3.0",
                        "mapsync_value{field=\"hits\",key=\"bob\",map=\"sessions\"} 5.0",
                        "mapsync_value{field=\"last\",key=\"ada\",map=\"sessions\"} 100.0",
                        "mapsync_value{field=\"last\",key=\"bob\",map=\"sessions\"} 200.0"), values(body, "sessions"));
                assertTrue(body.contains("mapsync_entries{map=\"sessions\"} 2.0\n"), body);
                assertTrue(body.contains("mapsync_value_series_dropped{map=\"sessions\"} 0.0\n"), body);
                assertEquals(List.of(), exporter.before());
            }
        }
    }

    /** An entry that cannot be read is left out, counted; the scrape serves the rest and every map's health. */
    @Test
    void anEntryThatCannotBeReadIsLeftOutAndCounted() throws Exception {
        Cli.in(dir, "create", "u", "--value", "s:char[4],x:i32", "--entries", "3").ok();
        for (int i = 0; i < 3; i++) Cli.in(dir, "set", "u", Integer.toString(i), "x=" + (i + 1)).ok();
        // entry 1's string, 8 bytes on (s:char[4] then x:i32 make an entry of 8)
        CliFailureTest.writeNotUtf8(dir.resolve("u"), 8);
        try (Exporter exporter = start("u")) {
            HttpResponse<String> response = exporter.get();
            assertEquals(200, response.statusCode(), response.body());
            assertEquals(List.of("mapsync_value{field=\"x\",key=\"0\",map=\"u\"} 1.0",
                    "mapsync_value{field=\"x\",key=\"2\",map=\"u\"} 3.0"), values(response.body(), "u"));
            assertTrue(response.body().contains("mapsync_value_unreadable{map=\"u\"} 1.0\n"), response.body());
            assertTrue(response.body().contains("mapsync_torn_entries{map=\"u\"} 0.0\n"), response.body());
        }
    }

    @Test
    void aHashMapExportedWholeLeavesOutItsUnreadableEntriesOnly() throws Exception {
        Cli.in(dir, "create", "h", "--type", "hash", "--key", "u32", "--value", "s:char[4],x:i32", "--entries", "16")
                .ok();
        for (int i = 0; i < 4; i++) {
            Cli.in(dir, "set", "h", Integer.toString(i), "s=" + "ABCD".substring(i, i + 1).repeat(4) + ",x=" + i).ok();
        }
        CliFailureTest.spoil(dir.resolve("h"), "BBBB");
        CliFailureTest.spoil(dir.resolve("h"), "CCCC");
        try (Exporter exporter = start("h")) {
            String body = exporter.scrape();
            assertEquals(List.of("mapsync_value{field=\"x\",key=\"0\",map=\"h\"} 0.0",
                    "mapsync_value{field=\"x\",key=\"3\",map=\"h\"} 3.0"), values(body, "h"));
            assertTrue(body.contains("mapsync_value_unreadable{map=\"h\"} 2.0\n"), body);
        }
    }

    @Test
    void aHashMapOfManyKeysServesItsHealthOnlyUnlessKeysChooseSome() throws Exception {
        try (SharedHashMap<String, Hits> sessions = SharedHashMap.create(
                HashSpec.of("sessions", Codec.chars(8), Codec.record(Hits.class), 8192).dir(dir))) {
            for (int i = 0; i < 5000; i++) sessions.put("k" + i, new Hits(i, 2L * i));
            try (LockGuard held = sessions.lock("k17"); Exporter exporter = start("sessions")) {
                assertEquals(List.of(overTheLimit("sessions", 5000, 10_000, 1000)), exporter.before());
                String body = exporter.scrape();
                assertEquals(List.of(), body.lines().filter(l -> l.startsWith("mapsync_value{")).toList());
                assertTrue(body.contains("mapsync_value_series_dropped{map=\"sessions\"} 10000.0\n"), body);
                assertTrue(body.contains("mapsync_entries{map=\"sessions\"} 5000.0\n"), body);
                assertTrue(body.contains("mapsync_locks_held{map=\"sessions\"} 1.0\n"), body);
                assertTrue(body.contains("mapsync_locks_dead_owner{map=\"sessions\"} 0.0\n"), body);
                assertTrue(body.contains("mapsync_subscribers{map=\"sessions\"} 0.0\n"), body);
                assertTrue(body.contains("mapsync_changes_total{map=\"sessions\"} 0.0\n"), body);
            }
            // keys that are absent make no series; a key named twice makes its series once
            try (Exporter exporter = start("sessions", "--keys", "k17,k4242,nokey", "--keys", "k17")) {
                assertEquals(List.of(), exporter.before());
                String body = exporter.scrape();
                assertEquals(List.of(
                        "mapsync_value{field=\"hits\",key=\"k17\",map=\"sessions\"} 17.0",
                        "mapsync_value{field=\"hits\",key=\"k4242\",map=\"sessions\"} 4242.0",
                        "mapsync_value{field=\"last\",key=\"k17\",map=\"sessions\"} 34.0",
                        "mapsync_value{field=\"last\",key=\"k4242\",map=\"sessions\"} 8484.0"), values(body, "sessions"));
                assertTrue(body.contains("mapsync_value_series_dropped{map=\"sessions\"} 0.0\n"), body);
                assertTrue(body.contains("mapsync_entries{map=\"sessions\"} 5000.0\n"), body);
            }
        }
    }

    @Test
    void keysOfAHashMapWithIntegerKeysTakeRanges() throws Exception {
        try (SharedHashMap<Long, Long> ports = SharedHashMap.create(HashSpec.of("ports", Codec.u32(), Codec.i64(), 256).dir(dir))) {
            for (long k = 0; k < 100; k++) ports.put(k, k * 10);
            try (Exporter exporter = start("ports", "--keys", "10-12,40,1000", "--keys", "11-12")) {
                assertEquals(List.of(
                        "mapsync_value{field=\"value\",key=\"10\",map=\"ports\"} 100.0",
                        "mapsync_value{field=\"value\",key=\"11\",map=\"ports\"} 110.0",
                        "mapsync_value{field=\"value\",key=\"12\",map=\"ports\"} 120.0",
                        "mapsync_value{field=\"value\",key=\"40\",map=\"ports\"} 400.0"), values(exporter.scrape(), "ports"));
            }
        }
    }

    @Test
    void maxSeriesLimitsEachMapAndZeroServesHealthOnly() throws Exception {
        // accounts: 2 entries of 4 numeric fields (owner is a string) make 8 series; small: 4 entries of 1 make 4
        try (SharedArray<Account> accounts = SharedArray.create(MapSpec.array("accounts", Account.class, 2).dir(dir));
             SharedArray<Long> small = SharedArray.create(MapSpec.array("small", Codec.i64(), 4).dir(dir))) {
            small.set(3, 42L);
            try (Exporter exporter = start("--max-series", "7", "accounts", "small")) {
                assertEquals(List.of(overTheLimit("accounts", 2, 8, 7)), exporter.before());
                String body = exporter.scrape();
                assertEquals(List.of(), values(body, "accounts"));
                assertEquals(List.of(
                        "mapsync_value{field=\"value\",key=\"0\",map=\"small\"} 0.0",
                        "mapsync_value{field=\"value\",key=\"1\",map=\"small\"} 0.0",
                        "mapsync_value{field=\"value\",key=\"2\",map=\"small\"} 0.0",
                        "mapsync_value{field=\"value\",key=\"3\",map=\"small\"} 42.0"), values(body, "small"));
                assertTrue(body.contains("mapsync_value_series_dropped{map=\"accounts\"} 8.0\n"), body);
                assertTrue(body.contains("mapsync_value_series_dropped{map=\"small\"} 0.0\n"), body);
            }
            try (Exporter exporter = start("--max-series", "0", "accounts", "small")) {
                assertEquals(List.of(), exporter.before(), "0 asks for health only: nothing to warn of");
                String body = exporter.scrape();
                assertEquals(List.of(), body.lines().filter(l -> l.startsWith("mapsync_value{")).toList());
                assertTrue(body.contains("mapsync_value_series_dropped{map=\"accounts\"} 8.0\n"), body);
                assertTrue(body.contains("mapsync_value_series_dropped{map=\"small\"} 4.0\n"), body);
                assertTrue(body.contains("mapsync_entries{map=\"small\"} 4.0\n"), body);
                assertTrue(body.contains("mapsync_locks_held{map=\"accounts\"} 0.0\n"), body);
            }
            // an array's --keys counts only the entries chosen
            try (Exporter exporter = start("--max-series", "4", "--keys", "1", "accounts")) {
                assertEquals(List.of(), exporter.before());
                assertEquals(4, values(exporter.scrape(), "accounts").size());
            }
        }
    }

    @Test
    void aMapThatGrowsPastTheLimitLosesItsValuesAtThatScrape() throws Exception {
        try (SharedHashMap<String, Hits> sessions = SharedHashMap.create(
                HashSpec.of("sessions", Codec.chars(8), Codec.record(Hits.class), 16).dir(dir))) {
            sessions.put("ada", new Hits(1, 1));
            try (Exporter exporter = start("--max-series", "4", "sessions")) {
                assertEquals(List.of(), exporter.before());
                assertEquals(2, values(exporter.scrape(), "sessions").size());

                sessions.put("bob", new Hits(2, 2));
                sessions.put("cy", new Hits(3, 3));
                String body = exporter.scrape();
                assertEquals(List.of(), values(body, "sessions"));
                assertTrue(body.contains("mapsync_value_series_dropped{map=\"sessions\"} 6.0\n"), body);
                assertEquals(overTheLimit("sessions", 3, 6, 4), exporter.nextLine());

                sessions.remove("bob");
                body = exporter.scrape();
                assertEquals(4, values(body, "sessions").size());
                assertTrue(body.contains("mapsync_value_series_dropped{map=\"sessions\"} 0.0\n"), body);
            }
        }
    }

    @Test
    void ringsQueuesAndBarriersServeTheirHealth() throws Exception {
        try (SharedQueue<Long> jobs = SharedQueue.create(MapSpec.queue("jobs", Codec.i64(), 4096).dir(dir));
             SharedRing trace = SharedRing.create(MapSpec.ring("trace", 8192).dir(dir));
             SharedBarrier phase = SharedBarrier.create(MapSpec.barrier("phase", 3).dir(dir))) {
            for (long i = 0; i < 3; i++) assertTrue(jobs.offer(i)); // 3 records of 8 + 8 bytes
            trace.seal();
            long jobsBytes = jobs.ring().capacityBytes();
            try (Exporter exporter = start("jobs", "trace", "phase")) {
                String body = exporter.scrape();
                assertEquals(List.of(
                        "mapsync_barrier_arrived{map=\"phase\"} 0.0",
                        "mapsync_barrier_broken{map=\"phase\"} 0.0",
                        "mapsync_barrier_generation{map=\"phase\"} 0.0",
                        "mapsync_barrier_parties{map=\"phase\"} 3.0",
                        "mapsync_ring_capacity_bytes{map=\"jobs\"} " + (double) jobsBytes,
                        "mapsync_ring_capacity_bytes{map=\"trace\"} 8192.0",
                        "mapsync_ring_lost_records_total{map=\"jobs\"} 0.0",
                        "mapsync_ring_lost_records_total{map=\"trace\"} 0.0",
                        "mapsync_ring_sealed{map=\"jobs\"} 0.0",
                        "mapsync_ring_sealed{map=\"trace\"} 1.0",
                        "mapsync_ring_used_bytes{map=\"jobs\"} 48.0",
                        "mapsync_ring_used_bytes{map=\"trace\"} 0.0"),
                        body.lines().filter(l -> l.startsWith("mapsync_ring_") || l.startsWith("mapsync_barrier_")).sorted().toList());
                assertFalse(body.contains("mapsync_entries"), "no array or hash map is exported: " + body);
            }
            assertEquals(48, jobs.status().usedBytes(), "the exporter read the queue and took nothing");
        }
    }

    /** The {@code mapsync_replica_*} samples of a scraped body, sorted. */
    private static List<String> replicas(String body) {
        return body.lines().filter(l -> l.startsWith("mapsync_replica_")).sorted().toList();
    }

    @Test
    void theReplicationOfMapsWithAStatusFileIsServedByRole() throws Exception {
        long me = ProcessHandle.current().pid();
        try (SharedArray<Long> replica = SharedArray.create(MapSpec.array("replica", Codec.i64(), 4).dir(dir));
             SharedHashMap<Long, Long> led = SharedHashMap.create(HashSpec.of("led", Codec.i64(), Codec.i64(), 16).dir(dir));
             SharedArray<Long> plain = SharedArray.create(MapSpec.array("plain", Codec.i64(), 4).dir(dir))) {
            ReplicationStatusFiles.follower(dir, "replica", me, "live", Instant.now());
            try (Exporter exporter = start("replica", "led", "plain")) {
                // each status is read at the scrape: one written now is running (its process lives and is current)
                ReplicationStatusFiles.follower(dir, "replica", me, "live", Instant.now());
                String body = exporter.scrape();
                assertEquals(List.of(
                        "mapsync_replica_lag_changes{map=\"replica\",role=\"follower\"} 2.0",
                        "mapsync_replica_lag_seconds{map=\"replica\",role=\"follower\"} 0.015",
                        "mapsync_replica_position{map=\"replica\",role=\"follower\"} 4096.0",
                        "mapsync_replica_running{map=\"replica\",role=\"follower\"} 1.0",
                        "mapsync_replica_snapshots{map=\"replica\",role=\"follower\"} 1.0"), replicas(body));
                assertTrue(body.contains("# TYPE mapsync_replica_lag_seconds gauge\n"), body);

                // a leader that started since, and a follower that stopped
                ReplicationStatusFiles.leader(dir, "led", me, "serving", Instant.now());
                ReplicationStatusFiles.follower(dir, "replica", me, "stopped", Instant.now());
                assertEquals(List.of(
                        "mapsync_replica_lag_changes{map=\"led\",role=\"leader\"} 0.0",
                        "mapsync_replica_lag_changes{map=\"replica\",role=\"follower\"} 2.0",
                        "mapsync_replica_lag_seconds{map=\"led\",role=\"leader\"} 0.0",
                        "mapsync_replica_lag_seconds{map=\"replica\",role=\"follower\"} 0.015",
                        "mapsync_replica_position{map=\"led\",role=\"leader\"} 8192.0",
                        "mapsync_replica_position{map=\"replica\",role=\"follower\"} 4096.0",
                        "mapsync_replica_running{map=\"led\",role=\"leader\"} 1.0",
                        "mapsync_replica_running{map=\"replica\",role=\"follower\"} 0.0",
                        "mapsync_replica_snapshots{map=\"led\",role=\"leader\"} 2.0",
                        "mapsync_replica_snapshots{map=\"replica\",role=\"follower\"} 1.0"), replicas(exporter.scrape()));

                // a status file that is not one makes no series, and the others are served
                Files.writeString(dir.resolve("led.replication"), "role=leader\n");
                assertEquals(5, replicas(exporter.scrape()).size());
            }
            Files.delete(dir.resolve("replica.replication"));
            Files.delete(dir.resolve("led.replication"));
            try (Exporter exporter = start("replica", "led", "plain")) {
                String body = exporter.scrape();
                assertEquals(List.of(), replicas(body), "no map is replicated here");
                assertFalse(body.contains("mapsync_replica"), body);
            }
        }
    }

    @Test
    void aScrapeReadsTheMapAsItIsThen() throws Exception {
        try (SharedArray<Account> map = SharedArray.create(MapSpec.array("accounts", Account.class, 2).dir(dir))) {
            map.set(0, new Account(1, 100, "ada", 0.5, true));
            map.set(1, new Account(2, -7, "bob", 1.25, false));
            try (Exporter exporter = start("accounts")) {
                String body = exporter.scrape();
                List<String> values = body.lines().filter(l -> l.startsWith("mapsync_value{")).toList();
                assertEquals(List.of(
                        "mapsync_value{field=\"balance\",key=\"0\",map=\"accounts\"} 100.0",
                        "mapsync_value{field=\"balance\",key=\"1\",map=\"accounts\"} -7.0",
                        "mapsync_value{field=\"id\",key=\"0\",map=\"accounts\"} 1.0",
                        "mapsync_value{field=\"id\",key=\"1\",map=\"accounts\"} 2.0",
                        "mapsync_value{field=\"open\",key=\"0\",map=\"accounts\"} 1.0",
                        "mapsync_value{field=\"open\",key=\"1\",map=\"accounts\"} 0.0",
                        "mapsync_value{field=\"rate\",key=\"0\",map=\"accounts\"} 0.5",
                        "mapsync_value{field=\"rate\",key=\"1\",map=\"accounts\"} 1.25"), values);
                assertTrue(body.contains("# TYPE mapsync_value gauge"), body);
                assertTrue(body.contains("mapsync_locks_held{map=\"accounts\"} 0.0"), body);

                map.longs("balance").getAndAdd(1, 10); // the next scrape reads the map again
                try (LockGuard held = map.lock(0)) {
                    body = exporter.scrape();
                }
                assertTrue(body.contains("mapsync_value{field=\"balance\",key=\"1\",map=\"accounts\"} 3.0\n"), body);
                assertTrue(body.contains("mapsync_locks_held{map=\"accounts\"} 1.0\n"), body);
                assertTrue(body.contains("mapsync_entries{map=\"accounts\"} 2.0\n"), body);
            }
        }
    }
}
