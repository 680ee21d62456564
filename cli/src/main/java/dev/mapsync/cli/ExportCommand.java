package dev.mapsync.cli;

import dev.mapsync.SharedMap;
import dev.mapsync.MapLocation;
import dev.mapsync.SharedArray;
import dev.mapsync.SharedHashMap;
import dev.mapsync.cli.export.ExportedMap;
import dev.mapsync.cli.export.MetricsServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "export", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Serve /metrics in the Prometheus text format: a gauge per numeric field of every entry of arrays and hash maps",
                "(mapsync_value{map,key,field}), read from the mapping at scrape time, plus lock and subscription",
                "health. Binds to loopback unless told otherwise; runs until interrupted."},
        footer = {"", "Example:", "  mapsync export --port 9477 accounts bpf:hits", "  curl -s localhost:9477/metrics | grep mapsync_value"})
final class ExportCommand implements Callable<Integer> {
    @ParentCommand
    Main root;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "MAP", arity = "1..*")
    List<String> maps;

    @Option(names = "--port", defaultValue = "9477", paramLabel = "P", description = "Port (default ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--bind", defaultValue = "127.0.0.1", paramLabel = "ADDR", description = "Address to listen on (default ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--keys", paramLabel = "A-B", description = "Export only entries A to B of every array map.")
    String keys;

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("--port must be 0..65535, not " + port);
        List<ExportedMap> open = new ArrayList<>();
        try {
            for (String m : maps) {
                open.add(exported(m, MapRef.parse(m).existing(root.dir)));
            }
            try (MetricsServer server = MetricsServer.start(address(), port, open)) {
                spec.commandLine().getErr().println("mapsync: serving http://" + bind + ":" + server.port() + "/metrics");
                spec.commandLine().getErr().flush();
                Thread.currentThread().join(); // until interrupted (Ctrl-C ends the JVM)
            }
        } finally {
            open.forEach(ExportedMap::close);
        }
        return ExitCodes.OK;
    }

    /** The map at {@code at} as exported: an array (the --keys range of it) or a hash map, opened read-only. */
    @SuppressWarnings("unchecked") // a map opened as it is has values (and keys) of Object
    private ExportedMap exported(String label, MapLocation at) {
        SharedMap map = KeyedMaps.open(at, true);
        try {
            if (map instanceof SharedHashMap<?, ?> hash) return new ExportedMap.Hash(label, (SharedHashMap<Object, Object>) hash);
            SharedArray<Object> array = (SharedArray<Object>) map;
            int[] range = KeyRange.parse(keys, array.length());
            return new ExportedMap.Array(label, array, range[0], range[1]);
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
