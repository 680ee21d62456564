package dev.mapsync.replicate.internal.wire;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The layout of one message of the replication stream, and the checks a reader makes before it trusts one. Every
 * message starts with the same 32 bytes:
 *
 * <pre>
 * offset size field
 *      0    1 type: 1 entry, 2 absent, 3 snapshot begin, 4 snapshot end, 5 heartbeat
 *      1    1 version: 1
 *      2    2 zero
 *      4    4 key length in bytes (entry and absent; else 0)
 *      8    8 sequence number of the message in its epoch, from 1 (a heartbeat: the last one sent)
 *     16    8 epoch: the leader process's random id, not 0; a restarted leader starts a new one
 *     24    8 leader time: nanoseconds since the Unix epoch on the leader's clock when it sent the message
 *     32      body
 * </pre>
 *
 * Bodies: an entry holds its key's bytes (an array's index as a u32) and then the value's bytes; an absent key (a
 * hash map's removed key) its key's bytes; a snapshot begin the map's shape ({@link Shape}); a snapshot end the
 * number of entries the snapshot sent (u64); a heartbeat the recording id (u64) of the stream in the leader's archive.
 */
public final class Message {
    public static final byte ENTRY = 1, ABSENT = 2, SNAPSHOT_BEGIN = 3, SNAPSHOT_END = 4, HEARTBEAT = 5;
    public static final byte VERSION = 1;
    public static final int TYPE = 0, VERSION_OFFSET = 1, KEY_LENGTH = 4, SEQ = 8, EPOCH = 16, TIME = 24, BODY = 32;
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private Message() {}

    /** Writes the common header; returns the offset of the body. */
    public static int header(MutableDirectBuffer b, byte type, int keyLength, long seq, long epoch, long timeNanos) {
        b.putByte(TYPE, type);
        b.putByte(VERSION_OFFSET, VERSION);
        b.putShort(2, (short) 0, LE);
        b.putInt(KEY_LENGTH, keyLength, LE);
        b.putLong(SEQ, seq, LE);
        b.putLong(EPOCH, epoch, LE);
        b.putLong(TIME, timeNanos, LE);
        return BODY;
    }

    /**
     * A received message's header, checked against the length Aeron delivered: a message that does not parse is
     * never applied, and says what is wrong with it.
     *
     * @param type      the message type
     * @param keyLength the key's length
     * @param seq       the sequence number
     * @param epoch     the leader's epoch
     * @param timeNanos the leader's clock when it was sent
     * @param offset    where the message starts in its buffer
     * @param length    its whole length
     */
    public record Header(byte type, int keyLength, long seq, long epoch, long timeNanos, int offset, int length) {
        /** Reads and checks the header at {@code offset}. */
        public static Header read(DirectBuffer b, int offset, int length) {
            if (length < BODY) throw new CorruptMessageException("a message of " + length + " bytes is shorter than its header");
            byte type = b.getByte(offset + TYPE);
            if (type < ENTRY || type > HEARTBEAT) throw new CorruptMessageException("message type " + type + " is unknown");
            byte version = b.getByte(offset + VERSION_OFFSET);
            if (version != VERSION) {
                throw new CorruptMessageException("message version " + version + " is not " + VERSION
                        + " (a leader and follower of different mapsync versions?)");
            }
            int keyLength = b.getInt(offset + KEY_LENGTH, LE);
            if (keyLength < 0 || keyLength > length - BODY) {
                throw new CorruptMessageException("key length " + keyLength + " runs past a message of " + length + " bytes");
            }
            long epoch = b.getLong(offset + EPOCH, LE);
            if (epoch == 0) throw new CorruptMessageException("epoch 0 names no leader");
            return new Header(type, keyLength, b.getLong(offset + SEQ, LE), epoch, b.getLong(offset + TIME, LE), offset, length);
        }

        /** {@return where the body starts in the buffer} */
        public int body() {
            return offset + BODY;
        }

        /** {@return the length of the body} */
        public int bodyLength() {
            return length - BODY;
        }

        /** {@return the value's length of an entry: what follows its key} */
        public int valueLength() {
            return length - BODY - keyLength;
        }

        /** Reads a u64 of the body, checking that it is there. */
        public long bodyLong(DirectBuffer b, int at) {
            if (at + 8 > bodyLength()) throw new CorruptMessageException(what() + " of " + length + " bytes is too short");
            return b.getLong(body() + at, LE);
        }

        /** {@return the message's type for messages} */
        public String what() {
            return switch (type) {
                case ENTRY -> "an entry";
                case ABSENT -> "an absent key";
                case SNAPSHOT_BEGIN -> "a snapshot's beginning";
                case SNAPSHOT_END -> "a snapshot's end";
                default -> "a heartbeat";
            };
        }
    }

    static String text(DirectBuffer b, int at, int length) {
        byte[] bytes = new byte[length];
        b.getBytes(at, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
