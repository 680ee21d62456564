package dev.mapsync.testkit;

import dev.mapsync.internal.hash.HashLayout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The slots of an shm hash map of one segment with {@code char[16]} keys, as its file holds them (FORMAT.md §10.1),
 * for tests that write there as a peer would.
 */
public record HashFile(Path file, HashLayout layout) {
    /** A slot: its index and file offset, its meta and home words, and its key (null when empty or a tombstone). */
    public record Slot(int index, long at, int meta, int home, String key) {}

    /** The file offset of the data region. */
    public long data() {
        return Peer.getLong(file, Peer.DATA_OFFSET);
    }

    /** The file offset of the segment. */
    public long segment() {
        return data() + layout.segment(0);
    }

    /** The segment's slots as the file holds them now. */
    public Slot[] slots() {
        ByteBuffer bytes;
        try {
            bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long data = data();
        Slot[] out = new Slot[layout.slotsPerSegment];
        for (int i = 0; i < out.length; i++) {
            int at = (int) (data + layout.slot(layout.segment(0), i));
            int meta = bytes.getInt(at);
            byte[] key = Arrays.copyOfRange(bytes.array(), at + 8, at + 24);
            int len = 0;
            while (len < key.length && key[len] != 0) len++;
            String k = (meta & 3) == HashLayout.OCCUPIED ? new String(key, 0, len, StandardCharsets.UTF_8) : null;
            out[i] = new Slot(i, at, meta, bytes.getInt(at + 4), k);
        }
        return out;
    }

    /** The slot that holds {@code key}. */
    public Slot slotOf(String key) {
        return Arrays.stream(slots()).filter(s -> key.equals(s.key())).findFirst().orElseThrow();
    }

    /**
     * Leaves the state of a delete that died after its first window, in front of a key at its home with an empty slot
     * after it: the key moved one slot on (its home word still its home), its home slot a tombstone, counted.
     *
     * @return the key
     */
    public String cutShortDeleteBefore() {
        Slot[] s = slots();
        int j = 0;
        while (!(s[j].key() != null && s[j].home() == j && s[j + 1].meta() == HashLayout.EMPTY)) j++; // one comes early
        for (int w = 0; w < layout.slotSize; w += 8) Peer.putLong(file, s[j + 1].at() + w, Peer.getLong(file, s[j].at() + w));
        Peer.putInt(file, s[j].at(), HashLayout.TOMBSTONE);
        Peer.putInt(file, segment() + HashLayout.TOMBSTONES, 1);
        return s[j].key();
    }

    /**
     * Makes the map with {@code make} until a key sits at its home right after another key (the hash seed is random),
     * deleting each map that has none with {@code delete}.
     *
     * @return the index of that key
     */
    public int remakeUntilKeyAfterKey(Runnable make, Runnable delete) {
        for (int attempt = 0; attempt < 50; attempt++) {
            make.run();
            int j = keyAfterKey();
            if (j >= 0) return j;
            delete.run();
        }
        throw new AssertionError("no key at its home right after another key in 50 maps");
    }

    /** The index of a key at its home right after another key, or -1. */
    public int keyAfterKey() {
        Slot[] s = slots();
        for (int j = 1; j < s.length; j++) {
            if (s[j - 1].key() != null && s[j].key() != null && s[j].home() == j) return j;
        }
        return -1;
    }
}
