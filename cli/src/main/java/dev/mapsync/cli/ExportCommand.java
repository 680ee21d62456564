package dev.mapsync.cli;

import dev.mapsync.MapLocation;
import dev.mapsync.SharedArray;
import dev.mapsync.SharedBarrier;
import dev.mapsync.SharedCounters;
import dev.mapsync.SharedHashMap;
import dev.mapsync.SharedMap;
import dev.mapsync.SharedMaps;
import dev.mapsync.SharedQueue;
import dev.mapsync.SharedRing;
import dev.mapsync.cli.export.ExportedMap;
import dev.mapsync.cli.export.MetricsServer;
import dev.mapsync.cli.export.ReplicatedMap;
import dev.mapsync.cli.export.SeriesLimit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

@Command(name = "export", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Serve /metrics in the Prometheus text format, read from the maps at scrape time: the health of every",
                "map (locks, dead owners, torn entries, subscribers, changes; a ring's or queue's bytes used, capacity,",
                "lost records and seal; a barrier's parties, arrivals, generation and breakage; where the leader or",
                "follower of a map replicated here stands, mapsync_replica_*{map,role}), and a gauge per numeric field",
                "of the entries of arrays and hash maps (mapsync_value{map,key,field}). A map whose entries would make",
                "more than --max-series value series serves its health only, says so once on stderr, and counts",
                "what it left out in mapsync_value_series_dropped{map}. Binds to loopback unless told otherwise; runs",
                "until interrupted."},
        footer = {"", "Examples:", "  mapsync export --port 9477 accounts bpf:hits jobs",
                "  mapsync export sessions --keys 4b1d9c,77aa01     # two keys of a hash map",
                "  mapsync export flows --keys src=10,dst=11,port=443 --keys src=10,dst=12,port=443",
                "  mapsync export accounts --max-series 0           # health only",
                "  curl -s localhost:9477/metrics | grep mapsync_"})
final class ExportCommand implements Callable<Integer> {
    /** How long a read of an entry waits for a write in progress before it leaves the entry out of the scrape. */
    static final Duration READ_TIMEOUT = Duration.ofSeconds(1);

    @ParentCommand
    Main root;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "MAP", arity = "1..*",
            description = "The maps: NAME (default folder, shm), bpf:NAME (a kernel map), or a path containing '/'.")
    List<String> maps;

    @Option(names = "--port", defaultValue = "9477", paramLabel = "P", description = "Port (default ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--bind", defaultValue = "127.0.0.1", paramLabel = "ADDR", description = "Address to listen on (default ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--keys", paramLabel = "KEYS",
            description = "Export only these entries of every array and hash map, comma-separated: indexes and ranges"
                    + " A-B of an array; keys of a hash map, and ranges A-B of integer keys. A struct key is one --keys."
                    + " May be repeated.")
    List<String> keys;

    @Option(names = "--max-series", defaultValue = "" + SeriesLimit.DEFAULT, paramLabel = "N",
            description = "The most value series (entries times numeric fields) of one map (default ${DEFAULT-VALUE});"
                    + " a map over it serves its health only. 0 serves health only.")
    long maxSeries;

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("--port must be 0..65535, not " + port);
        PrintWriter err = spec.commandLine().getErr();
        SeriesLimit limit = new SeriesLimit(maxSeries, line -> {
            err.println(line);
            err.flush();
        });
        List<ExportedMap> open = new ArrayList<>();
        List<ReplicatedMap> replicated = new ArrayList<>();
        try {
            Set<String> named = new HashSet<>();
            for (String m : maps) {
                // a map named twice would serve its series twice under one label
                if (!named.add(m)) throw new IllegalArgumentException("map '" + m + "' is given twice");
                MapLocation at = MapRef.parse(m).existing(root.dir);
                ExportedMap map = exported(m, at);
                open.add(map);
                // arrays and hash maps are what a leader or follower replicates: their status file is read at each scrape
                if (map instanceof ExportedMap.Keyed) replicated.add(new ReplicatedMap(m, at));
            }
            try (MetricsServer server = MetricsServer.start(address(), port, open, replicated, limit)) {
                err.println("mapsync: serving http://" + bind + ":" + server.port() + "/metrics");
                err.flush();
                Thread.currentThread().join(); // until interrupted (Ctrl-C ends the JVM)
            }
        } finally {
            open.forEach(ExportedMap::close);
        }
        return ExitCodes.OK;
    }

    /** The map at {@code at} as exported, opened read-only: its --keys entries if it has entries. */
    @SuppressWarnings("unchecked") // a map opened as it is has values (and keys) of Object
    private ExportedMap exported(String label, MapLocation at) {
        // a read waits for a write in progress at most a second, not the 30 s default: a scrape has its own timeout
        SharedMap map = SharedMaps.openReadOnly(at.lockTimeout(READ_TIMEOUT));
        try {
            return switch (map) {
                case SharedArray<?> array -> new ExportedMap.Array(label, (SharedArray<Object>) array,
                        keys == null ? null : ExportKeys.ofArray(keys, array.length()));
                case SharedHashMap<?, ?> hash -> new ExportedMap.Hash(label, (SharedHashMap<Object, Object>) hash,
                        keys == null ? null : ExportKeys.ofHash(keys, (SharedHashMap<Object, Object>) hash));
                case SharedRing ring -> new ExportedMap.Ring(label, ring);  // a queue's too, read-only
                case SharedQueue<?> queue -> new ExportedMap.Ring(label, queue.ring());
                case SharedBarrier barrier -> new ExportedMap.Barrier(label, barrier);
                case SharedCounters counters -> new ExportedMap.Counters(label, counters);
            };
        } catch (RuntimeException e) {
            map.close();
            throw e;
        }
    }

    private InetAddress address() {
        try {
            return InetAddress.getByName(bind);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("--bind " + bind + " is not an address of this host (" + e.getMessage() + ")", e);
        }
    }
}
