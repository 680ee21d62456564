package dev.mapsync.cli;

import dev.mapsync.Chars;
import dev.mapsync.Codec;
import dev.mapsync.HashSpec;
import dev.mapsync.SharedHashMap;
import dev.mapsync.LockGuard;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;
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
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

    @Test
    void hashMapsAreExportedByKey() throws Exception {
        try (SharedHashMap<String, Hits> sessions = SharedHashMap.create(
                HashSpec.of("sessions", Codec.chars(8), Codec.record(Hits.class), 16).dir(dir))) {
            sessions.put("ada", new Hits(3, 100));
            sessions.put("bob", new Hits(5, 200));
            Process exporter = startExporter("sessions");
            try {
                String body = scrape(exporter);
                List<String> values = body.lines().filter(l -> l.startsWith("mapsync_value{")).sorted().toList();
                assertEquals(List.of(
                        "mapsync_value{field=\"hits\",key=\"ada\",map=\"sessions\"} 3.0",
                        "mapsync_value{field=\"hits\",key=\"bob\",map=\"sessions\"} 5.0",
                        "mapsync_value{field=\"last\",key=\"ada\",map=\"sessions\"} 100.0",
                        "mapsync_value{field=\"last\",key=\"bob\",map=\"sessions\"} 200.0"), values);
                assertTrue(body.contains("mapsync_entries{map=\"sessions\"} 2.0\n"), body);
            } finally {
                exporter.destroy();
                exporter.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private Process startExporter(String map) {
        return Jvm.main(Main.class).args("export", "--dir", dir.toString(), "--port", "0", map).stderrToStdout().start()
                .process();
    }

    /** Reads the URL the exporter prints, then scrapes it once. */
    private static String scrape(Process exporter) throws Exception {
        String first = new BufferedReader(new InputStreamReader(exporter.getInputStream())).readLine();
        assertTrue(first != null && first.startsWith("mapsync: serving http://127.0.0.1:"), first);
        String url = first.substring("mapsync: serving ".length());
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void aScrapeReadsTheMapAsItIsThen() throws Exception {
        try (SharedArray<Account> map = SharedArray.create(MapSpec.array("accounts", Account.class, 2).dir(dir))) {
            map.set(0, new Account(1, 100, "ada", 0.5, true));
            map.set(1, new Account(2, -7, "bob", 1.25, false));
            Process exporter = startExporter("accounts");
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(exporter.getInputStream()));
                String first = out.readLine();
                assertTrue(first != null && first.startsWith("mapsync: serving http://127.0.0.1:"), first);
                String url = first.substring("mapsync: serving ".length());
                HttpClient http = HttpClient.newHttpClient();
                String body = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
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
                    body = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
                }
                assertTrue(body.contains("mapsync_value{field=\"balance\",key=\"1\",map=\"accounts\"} 3.0\n"), body);
                assertTrue(body.contains("mapsync_locks_held{map=\"accounts\"} 1.0\n"), body);
                assertTrue(body.contains("mapsync_entries{map=\"accounts\"} 2.0\n"), body);
            } finally {
                exporter.destroy();
                exporter.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
