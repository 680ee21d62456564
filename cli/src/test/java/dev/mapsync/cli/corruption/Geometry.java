package dev.mapsync.cli.corruption;

import dev.mapsync.testkit.Peer;

import java.nio.file.Path;

/**
 * Where things are in a map file, computed from its header as docs/FORMAT.md says (not from the library's own layout
 * classes, so that the suite also checks the document a second implementation would follow).
 */
final class Geometry {
    static final long CONTROL = 4096;
    /** Control region offsets (FORMAT.md §4). */
    static final long MAP_LOCK = CONTROL, EVENT_HEAD = CONTROL + 64, EVENT_WAITERS = CONTROL + 72,
            EVENT_SUBSCRIBERS = CONTROL + 76, SLOTS = CONTROL + 256, STRIPES = CONTROL + 33024;
    /** Ring control offsets (§7.2). */
    static final long PRODUCER = CONTROL + 33024, RESERVE_LOCK = CONTROL + 33152, SEALED = CONTROL + 33156,
            CONSUMER = CONTROL + 33280, CONSUMER_WAIT = CONTROL + 33408, PRODUCER_WAIT = CONTROL + 33536,
            CONSUMER_RECORD = CONTROL + 33664;
    /** Barrier control offsets (§9). */
    static final long STATE = CONTROL + 33024, WAKE = CONTROL + 33152, BREAK_RECORD = CONTROL + 33280,
            SEATS = CONTROL + 33408;
    /** Counter map control offsets (§11). */
    static final long USED = CONTROL + 33024, USED_SUMMARY = CONTROL + 33152;

    final Path file;
    final int type;
    final int keySize;
    final int entries;
    final int stripes;
    final int changelogCapacity;
    final long dataOffset;
    final long dataLength;
    final int stride;

    Geometry(Path file) {
        this.file = file;
        this.type = Peer.getInt(file, 16);
        this.keySize = Peer.getInt(file, 24);
        this.entries = Peer.getInt(file, 36);
        this.stripes = Peer.getInt(file, 112);
        this.changelogCapacity = Peer.getInt(file, 116);
        this.dataOffset = Peer.getLong(file, 80);
        this.dataLength = Peer.getLong(file, 88);
        this.stride = Peer.getInt(file, 32);
    }

    long slot(int s) {
        return SLOTS + 32L * s;
    }

    long stripe(int s) {
        return STRIPES + 64L * s;
    }

    long changelog() {
        return STRIPES + 64L * stripes;
    }

    /** The change log entry that change {@code seq} lives in. */
    long entryOf(long seq) {
        return changelog() + 32L * ((seq - 1) & (changelogCapacity - 1));
    }

    long slotCounter(int s) {
        return changelog() + 32L * changelogCapacity + 8L * s;
    }

    /** The key bytes of change {@code seq} (hash maps). */
    long changeKeyOf(long seq) {
        return changelog() + 32L * changelogCapacity + 8L * 1024 + keyStride() * ((seq - 1) & (changelogCapacity - 1));
    }

    long keyStride() {
        return (keySize + 7) & ~7L;
    }

    long getLong(long offset) {
        return Peer.getLong(file, offset);
    }

    int getInt(long offset) {
        return Peer.getInt(file, offset);
    }

    // ------------------------------------------------------------------------------------------- hash tables (§10)

    long hashSegments() {
        return getInt(dataOffset + 8);
    }

    int hashSlots() {
        return getInt(dataOffset + 12);
    }

    long hashSlotSize() {
        return getInt(dataOffset + 16);
    }

    long hashSegment(int g) {
        return dataOffset + getLong(dataOffset + 32) + g * getLong(dataOffset + 24);
    }

    long hashSlot(int g, int i) {
        return hashSegment(g) + getInt(dataOffset + 20) + i * hashSlotSize();
    }
}
