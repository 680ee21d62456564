package dev.mapsync.cli.export;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.net.InetAddress;
import java.util.List;

/**
 * Serves {@code /metrics} in the Prometheus text format for a set of open maps, read at each scrape
 * ({@link MapCollector}). The server's threads scrape; closing stops them, and leaves the maps to their owner.
 */
public final class MetricsServer implements AutoCloseable {
    private final HTTPServer server;

    private MetricsServer(HTTPServer server) {
        this.server = server;
    }

    /**
     * Starts serving the maps on {@code bind:port} (port 0 picks a free one), each map's value series within
     * {@code limit}, and the replication of {@code replicated} where they have a status file; a map over the limit says
     * so now, before the first scrape.
     *
     * @throws IOException if the port cannot be bound
     */
    public static MetricsServer start(InetAddress bind, int port, List<ExportedMap> maps, List<ReplicatedMap> replicated,
                                      SeriesLimit limit) throws IOException {
        for (ExportedMap m : maps) {
            if (m instanceof ExportedMap.Keyed k) limit.dropped(k);
        }
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new MapCollector(maps, replicated, limit));
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
