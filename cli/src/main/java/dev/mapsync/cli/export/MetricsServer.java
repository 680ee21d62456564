package dev.mapsync.cli.export;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.net.InetAddress;
import java.util.List;

/** Serves {@code /metrics} in the Prometheus text format for a set of open maps. */
public final class MetricsServer implements AutoCloseable {
    private final HTTPServer server;

    private MetricsServer(HTTPServer server) {
        this.server = server;
    }

    /** Starts serving the maps on {@code bind:port} (port 0 picks a free one). */
    public static MetricsServer start(InetAddress bind, int port, List<ExportedMap> maps) throws IOException {
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new MapCollector(maps));
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
