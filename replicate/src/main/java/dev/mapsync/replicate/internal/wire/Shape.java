package dev.mapsync.replicate.internal.wire;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;

/**
 * What a follower needs to make a replica of the leader's map: the body of a snapshot's beginning.
 *
 * <pre>
 * body offset size field
 *           0    4 kind: 1 array, 2 hash map
 *           4    4 entries (an array's length, a hash map's capacity)
 *           8    4 change log capacity
 *          12    4 lock stripes (an array's) or segments (a hash map's)
 *          16    4 key schema text length (0 for arrays)
 *          20    4 value schema text length
 *          24      key schema text, then value schema text (UTF-8)
 * </pre>
 *
 * @param hash              true for a hash map, false for an array
 * @param entries           an array's length or a hash map's capacity
 * @param changelogCapacity the leader's change log capacity, which the replica takes too
 * @param stripes           an array's lock stripes or a hash map's segments
 * @param keySchema         a hash map's key schema text; empty for arrays
 * @param valueSchema       the value schema text
 */
public record Shape(boolean hash, int entries, int changelogCapacity, int stripes, String keySchema, String valueSchema) {
    private static final int FIXED = 24, MAX_TEXT = 4096;

    /** Writes this shape at {@code at}; returns the bytes written. */
    public int write(MutableDirectBuffer b, int at) {
        byte[] k = keySchema.getBytes(StandardCharsets.UTF_8);
        byte[] v = valueSchema.getBytes(StandardCharsets.UTF_8);
        b.putInt(at, hash ? 2 : 1, Message.LE);
        b.putInt(at + 4, entries, Message.LE);
        b.putInt(at + 8, changelogCapacity, Message.LE);
        b.putInt(at + 12, stripes, Message.LE);
        b.putInt(at + 16, k.length, Message.LE);
        b.putInt(at + 20, v.length, Message.LE);
        b.putBytes(at + FIXED, k);
        b.putBytes(at + FIXED + k.length, v);
        return FIXED + k.length + v.length;
    }

    /** Reads the shape in a snapshot beginning's body, checking its lengths (the schemas are checked by their parser). */
    public static Shape read(DirectBuffer b, Message.Header h) {
        if (h.bodyLength() < FIXED) throw new CorruptMessageException("a snapshot's beginning of " + h.length() + " bytes is too short");
        int at = h.body();
        int kind = b.getInt(at, Message.LE);
        if (kind != 1 && kind != 2) throw new CorruptMessageException("map kind " + kind + " is neither 1 (array) nor 2 (hash map)");
        int keyLength = b.getInt(at + 16, Message.LE), valueLength = b.getInt(at + 20, Message.LE);
        if (keyLength < 0 || valueLength < 1 || keyLength > MAX_TEXT || valueLength > MAX_TEXT
                || FIXED + keyLength + valueLength != h.bodyLength()) {
            throw new CorruptMessageException("schema text lengths " + keyLength + " and " + valueLength
                    + " do not fill a snapshot's beginning of " + h.length() + " bytes");
        }
        int entries = b.getInt(at + 4, Message.LE);
        if (entries < 1) throw new CorruptMessageException("a map of " + entries + " entries");
        return new Shape(kind == 2, entries, b.getInt(at + 8, Message.LE), b.getInt(at + 12, Message.LE),
                Message.text(b, at + FIXED, keyLength), Message.text(b, at + FIXED + keyLength, valueLength));
    }

    /**
     * Says how this shape, the leader's, differs from {@code replica}'s, naming the first field that does: what a
     * follower tells when the leader's map is no longer the one its replica was made of. Throws nothing.
     *
     * @param replica the replica's shape
     * @return such as {@code now has 4 lock stripes, and the replica 8}, or null if the shapes are equal
     */
    public String differenceFrom(Shape replica) {
        if (hash != replica.hash) return "is now " + kind(hash) + ", and the replica " + kind(replica.hash);
        if (entries != replica.entries) {
            String has = hash ? "a capacity of " + entries : entries + " entries";
            return "now has " + has + ", and the replica " + replica.entries;
        }
        if (!keySchema.equals(replica.keySchema)) {
            return "now has keys " + keySchema + ", and the replica keys " + replica.keySchema;
        }
        if (!valueSchema.equals(replica.valueSchema)) {
            return "now has values " + valueSchema + ", and the replica values " + replica.valueSchema;
        }
        if (changelogCapacity != replica.changelogCapacity) {
            return "now has a change log of " + changelogCapacity + ", and the replica of " + replica.changelogCapacity;
        }
        if (stripes != replica.stripes) {
            String what = hash ? " segments" : " lock stripes";
            return "now has " + stripes + what + ", and the replica " + replica.stripes;
        }
        return null;
    }

    private static String kind(boolean hash) {
        return hash ? "a hash map" : "an array";
    }

    /** {@return the shape for messages, such as {@code hash map of 1000 (i64 -> i64)}} */
    @Override
    public String toString() {
        return hash ? "hash map of " + entries + " (" + keySchema + " -> " + valueSchema + ")"
                : "array of " + entries + " x " + valueSchema;
    }
}
