package dev.mapsync.replicate.internal.transport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * A leader's address, {@code HOST:PORT}, and the channels derived from it: the live stream's control endpoint is
 * {@code PORT}, the archive's control endpoint {@code PORT + 1}.
 *
 * @param host the host's address as text (an IPv4 address or a name that resolves to one)
 * @param port the live stream's control port
 */
public record Endpoint(String host, int port) {
    public static final int LIVE_STREAM = 1001, REPLAY_STREAM = 1002;

    public Endpoint {
        if (port < 1 || port > 65534) throw new IllegalArgumentException("port " + port + " is not in 1..65534 (the archive takes the next)");
    }

    /**
     * Parses {@code HOST:PORT}.
     *
     * @throws IllegalArgumentException naming what is wrong with it
     */
    public static Endpoint parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("'" + text + "' is not HOST:PORT");
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "': the port is not a number");
        }
        String host = text.substring(0, colon);
        try {
            InetAddress address = InetAddress.getByName(host);
            if (address.getAddress().length != 4) throw new IllegalArgumentException("'" + text + "': only IPv4 hosts are supported");
            if (address.isAnyLocalAddress()) {
                throw new IllegalArgumentException("'" + text + "': name the address followers reach, not the wildcard");
            }
            return new Endpoint(address.getHostAddress(), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "': unknown host " + host);
        }
    }

    /** The leader's live publication: many followers join it dynamically; the fastest sets the pace. */
    String liveChannel() {
        return "aeron:udp?control=" + this + "|control-mode=dynamic|term-length=" + TERM_LENGTH;
    }

    /** A follower's subscription to the live stream, receiving at {@code local} (port chosen by the kernel). */
    String liveSubscription(String local) {
        return "aeron:udp?endpoint=" + local + ":0|control=" + this;
    }

    String archiveControl() {
        return "aeron:udp?endpoint=" + host + ":" + (port + 1);
    }

    /** The live stream's term length, in bytes: a message is at most an eighth of it. */
    static final int TERM_BYTES = 8 << 20;
    static final String TERM_LENGTH = (TERM_BYTES >> 20) + "m";

    /** {@return the local address this host sends to the leader from: where the leader's replies must go} */
    public String localAddressTowards() {
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(new InetSocketAddress(host, port));
            return s.getLocalAddress().getHostAddress();
        } catch (IOException e) {
            throw new UncheckedIOException("no route to " + this, e);
        }
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }
}
