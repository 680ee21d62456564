package dev.mapsync.replicate;

import dev.mapsync.launch.UdpPorts;
import dev.mapsync.testkit.TestDirs;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Path;

/** A leader's end for each test: an address on loopback with a free pair of UDP ports, and an archive folder deleted after. */
final class LeaderEnd implements BeforeEachCallback, AfterEachCallback {
    private Path archive;
    private String listen;

    @Override
    public void beforeEach(ExtensionContext context) {
        archive = TestDirs.create();
        listen = "127.0.0.1:" + UdpPorts.freePair();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        TestDirs.delete(archive);
    }

    /** {@return the folder of the leader's archive} */
    Path archive() {
        return archive;
    }

    /** {@return the leader's {@code HOST:PORT}} */
    String listen() {
        return listen;
    }
}
