package dev.mapsync.launch;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketException;

/**
 * Free UDP ports for a replication leader (module replicate) that a test or benchmark starts: its live stream's
 * and, next to it, its archive's.
 * Thread-safe; what is free now may be taken by another process before it is bound, as with any free port.
 */
public final class UdpPorts {
    private UdpPorts() {}

    /** {@return a port {@code p} such that {@code p} and {@code p + 1} are free on loopback now} */
    public static int freePair() {
        for (int attempt = 0; attempt < 200; attempt++) {
            int p;
            try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                p = s.getLocalPort();
            } catch (SocketException e) {
                throw new IllegalStateException(e);
            }
            if (p >= 65534) continue;
            try (DatagramSocket a = new DatagramSocket(p, InetAddress.getLoopbackAddress());
                 DatagramSocket b = new DatagramSocket(p + 1, InetAddress.getLoopbackAddress())) {
                return p;
            } catch (SocketException e) {
                // taken meanwhile: try another
            }
        }
        throw new IllegalStateException("no two free neighbouring UDP ports");
    }
}
