package dev.mapsync.cli.export;

import dev.mapsync.SharedArray;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/** Serves {@code /metrics} in the Prometheus text format for a set of open maps. */
public final class MetricsServer implements AutoCloseable {
    private final HTTPServer server;

    private MetricsServer(HTTPServer server) {
        this.server = server;
    }

    /**
     * Starts serving on {@code bind:port} (port 0 picks a free one).
     *
     * @param maps      the maps, labelled by the given names
     * @param keyRanges for each map, the first and last key to export
     */
    public static MetricsServer start(InetAddress bind, int port, List<String> labels, List<SharedArray<Object>> maps,
                                      List<int[]> keyRanges) throws IOException {
        List<MapCollector.Exported> exported = new ArrayList<>();
        for (int i = 0; i < maps.size(); i++) {
            exported.add(new MapCollector.Exported(labels.get(i), maps.get(i), keyRanges.get(i)[0], keyRanges.get(i)[1]));
        }
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new MapCollector(exported));
        return new MetricsServer(HTTPServer.builder().inetAddress(bind).port(port).registry(registry).buildAndStart());
    }

    /** The port served. */
    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.close();
    }
}
