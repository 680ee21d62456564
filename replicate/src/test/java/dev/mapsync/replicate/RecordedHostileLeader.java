package dev.mapsync.replicate;

import dev.mapsync.replicate.internal.transport.Endpoint;
import dev.mapsync.replicate.internal.transport.LeaderNode;
import dev.mapsync.replicate.internal.wire.Message;
import dev.mapsync.replicate.internal.wire.Shape;
import dev.mapsync.testkit.Await;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * A "leader" whose messages are whatever a test writes, sent on a leader's live stream and recorded by its archive,
 * so that a follower replays them from the start as it would a leader's: its snapshots reach the replica.
 */
final class RecordedHostileLeader implements AutoCloseable {
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private final LeaderNode node;
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1 << 16]);
    private long epoch = 7, seq;

    RecordedHostileLeader(String listen, Path archive) {
        node = new LeaderNode(Endpoint.parse(listen), archive);
    }

    /** From now on, messages carry {@code epoch} and count their sequence numbers from {@code seq + 1}. */
    void epoch(long epoch, long seq) {
        this.epoch = epoch;
        this.seq = seq;
    }

    /** Sends a snapshot's beginning of {@code shape}. */
    void snapshotBegin(Shape shape) {
        int at = Message.header(buffer, Message.SNAPSHOT_BEGIN, 0, ++seq, epoch, System.currentTimeMillis());
        send(at + shape.write(buffer, at));
    }

    /** Sends a snapshot's end. */
    void snapshotEnd(long entries) {
        int at = Message.header(buffer, Message.SNAPSHOT_END, 0, ++seq, epoch, System.currentTimeMillis());
        buffer.putLong(at, entries, LE);
        send(at + 8);
    }

    /** Sends an entry of an array of i64 values. */
    void entry(int index, long value) {
        int at = Message.header(buffer, Message.ENTRY, 4, ++seq, epoch, System.currentTimeMillis());
        buffer.putInt(at, index, LE);
        buffer.putLong(at + 4, value, LE);
        send(at + 12);
    }

    /** Sends an absent key of {@code keyLength} bytes, each {@code fill}, followed by {@code extra} bytes. */
    void absent(int keyLength, byte fill, int extra) {
        int at = Message.header(buffer, Message.ABSENT, keyLength, ++seq, epoch, System.currentTimeMillis());
        for (int i = 0; i < keyLength + extra; i++) buffer.putByte(at + i, fill);
        send(at + keyLength + extra);
    }

    /** Sends heartbeats, naming the recording, until {@code done}. */
    void heartbeatUntil(String what, java.util.function.BooleanSupplier done) {
        Await.until(what, () -> {
            int at = Message.header(buffer, Message.HEARTBEAT, 0, seq, epoch, System.currentTimeMillis());
            buffer.putLong(at, node.recordingId(), LE);
            send(at + 8);
            return done.getAsBoolean();
        });
    }

    private void send(int length) {
        if (!node.send(buffer, length, () -> false)) throw new IllegalStateException("not sent");
    }

    @Override
    public void close() {
        node.close();
    }
}
