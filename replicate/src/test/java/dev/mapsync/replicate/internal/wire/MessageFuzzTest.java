package dev.mapsync.replicate.internal.wire;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Whatever bytes arrive as a message, reading it either succeeds or says what is wrong with it
 * ({@link CorruptMessageException}): never another exception, never a read outside the message.
 */
class MessageFuzzTest {
    @Property(tries = 3000)
    void anyBytesParseOrAreRefusedWithAReason(@ForAll @Size(max = 200) byte[] bytes) {
        // the message sits inside a larger buffer, as in a term buffer: a read past its end would not fault
        UnsafeBuffer b = new UnsafeBuffer(new byte[bytes.length + 64]);
        b.putBytes(16, bytes);
        try {
            Message.Header h = Message.Header.read(b, 16, bytes.length);
            if (h.type() == Message.SNAPSHOT_BEGIN) Shape.read(b, h);
            if (h.type() == Message.SNAPSHOT_END || h.type() == Message.HEARTBEAT) h.bodyLong(b, 0);
            assertEquals(true, h.keyLength() <= h.length() - Message.BODY);
        } catch (CorruptMessageException expected) {
            // refused, with a reason
        }
    }

    @Property(tries = 1000)
    void aMessageWithAValidHeaderButGarbageAfterItIsRefusedOrRead(@ForAll @Size(min = 32, max = 120) byte[] bytes,
                                                                  @ForAll byte type) {
        UnsafeBuffer b = new UnsafeBuffer(new byte[bytes.length + 64]);
        b.putBytes(0, bytes);
        b.putByte(Message.TYPE, (byte) (1 + Math.floorMod(type, 5)));
        b.putByte(Message.VERSION_OFFSET, Message.VERSION);
        b.putLong(Message.EPOCH, 42L, java.nio.ByteOrder.LITTLE_ENDIAN);
        try {
            Message.Header h = Message.Header.read(b, 0, bytes.length);
            if (h.type() == Message.SNAPSHOT_BEGIN) Shape.read(b, h);
        } catch (CorruptMessageException expected) {
            // refused, with a reason
        }
    }

    @Test
    void eachRefusalSaysWhatIsWrong() {
        UnsafeBuffer b = new UnsafeBuffer(new byte[64]);
        assertEquals("a message of 12 bytes is shorter than its header",
                assertThrows(CorruptMessageException.class, () -> Message.Header.read(b, 0, 12)).getMessage());
        b.putByte(Message.TYPE, (byte) 9);
        assertEquals("message type 9 is unknown",
                assertThrows(CorruptMessageException.class, () -> Message.Header.read(b, 0, 40)).getMessage());
        b.putByte(Message.TYPE, Message.ENTRY);
        b.putByte(Message.VERSION_OFFSET, (byte) 2);
        assertEquals("message version 2 is not 1 (a leader and follower of different mapsync versions?)",
                assertThrows(CorruptMessageException.class, () -> Message.Header.read(b, 0, 40)).getMessage());
        b.putByte(Message.VERSION_OFFSET, Message.VERSION);
        b.putInt(Message.KEY_LENGTH, 9, java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals("key length 9 runs past a message of 40 bytes",
                assertThrows(CorruptMessageException.class, () -> Message.Header.read(b, 0, 40)).getMessage());
        b.putInt(Message.KEY_LENGTH, 4, java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals("epoch 0 names no leader",
                assertThrows(CorruptMessageException.class, () -> Message.Header.read(b, 0, 40)).getMessage());
    }
}
