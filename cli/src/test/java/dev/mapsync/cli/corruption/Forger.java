package dev.mapsync.cli.corruption;

import dev.mapsync.testkit.Peer;

import java.nio.file.Path;

/**
 * Records a change in a map's change log behind the library's back, as another process would (FORMAT.md §4.3): the
 * entry of change {@code head + 1} with its key, pid and kind (and a hash map's key bytes), its seq, then the head.
 * One of those words gets the case's value instead.
 */
final class Forger {
    private Forger() {}

    /** The bytes "k3" as the first word of a NUL-padded char[16] key. */
    private static final long K3 = 0x336B;

    static void forge(Path file, String target, long value) {
        Geometry g = new Geometry(file);
        boolean hash = g.type == 2;
        long seq = g.getLong(Geometry.EVENT_HEAD) + 1;
        long e = g.entryOf(seq);
        int key = 3;
        if (hash) {
            int[] k3 = Fields.findKey(g, "k3");
            key = k3[0] * g.hashSlots() + k3[1];
            long k = g.changeKeyOf(seq);
            Peer.putLong(file, k, target.equals("key bytes") ? value : K3);
            Peer.putLong(file, k + 8, 0);
        }
        Peer.putInt(file, e + 8, target.equals("key") ? (int) value : key);
        Peer.putInt(file, e + 12, target.equals("pid") ? (int) value : 1);
        Peer.putInt(file, e + 16, target.equals("kind") ? (int) value : 1);
        Peer.putLong(file, e, target.equals("seq") ? value : seq);
        Peer.putLong(file, Geometry.EVENT_HEAD, target.equals("head") ? value : seq);
    }
}
