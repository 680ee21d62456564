package dev.mapsync;

import dev.mapsync.internal.counter.CounterLayout;
import dev.mapsync.internal.store.Header;
import dev.mapsync.testkit.Peer;
import dev.mapsync.testkit.TestDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A counter map whose file another process overwrote (FORMAT.md §11): every header field that the layout implies is
 * checked on open and refused with a CorruptMapException naming it (never a crash, never a read past the file); a
 * truncated file likewise; hostile cells and a bitmap that marks every slot are only numbers, summed as they are.
 */
class CounterCorruptionTest {
    private Path dir;
    private String name;
    private Path file;

    @BeforeEach
    void setUp() {
        dir = TestDirs.create();
        name = "cc" + Long.toHexString(System.nanoTime());
        file = dir.resolve(name);
        SharedCounters.create(spec()).close();
    }

    @AfterEach
    void tearDown() {
        TestDirs.delete(dir);
    }

    private CounterSpec spec() {
        return MapSpec.counters(name, 3).dir(dir);
    }

    private void refused(String message) {
        String expected = "map '" + name + "' is corrupt: " + message;
        CorruptMapException e = assertThrows(CorruptMapException.class, () -> SharedCounters.open(spec()));
        assertEquals(expected, e.getMessage());
        e = assertThrows(CorruptMapException.class, () -> SharedCounters.openReadOnly(MapSpec.existing(name).dir(dir)));
        assertEquals(expected, e.getMessage());
        e = assertThrows(CorruptMapException.class, () -> SharedMaps.info(MapSpec.existing(name).dir(dir)));
        assertEquals(expected, e.getMessage());
    }

    @Test
    void headerFieldsThatDisagreeWithTheLayoutAreRefused() {
        long data = CounterLayout.dataOffset();
        record Patch(long offset, boolean isLong, long value, String message) {}
        Patch[] patches = {
                new Patch(Header.ENTRIES_OFFSET, false, 0, "count 0 not in 1..1024"),
                new Patch(Header.ENTRIES_OFFSET, false, 1025, "count 1025 not in 1..1024"),
                new Patch(Header.ENTRIES_OFFSET, false, 17, "cell block stride 128 for 17 counters, expected 256"),
                new Patch(Header.STRIDE_OFFSET, false, 8, "cell block stride 8 for 3 counters, expected 128"),
                new Patch(Header.VALUE_SIZE_OFFSET, false, 4, "a counter map has no keys, lock stripes or changelog,"
                        + " and values of 8 bytes (key size 0, value size 4, lock stripes 0, changelog capacity 0)"),
                new Patch(Header.LOCK_STRIPES_OFFSET, false, 1, "a counter map has no keys, lock stripes or changelog,"
                        + " and values of 8 bytes (key size 0, value size 8, lock stripes 1, changelog capacity 0)"),
                new Patch(Header.BACKEND_OFFSET, false, 1, "a counter map lives in shared memory only"),
                new Patch(Header.CONTROL_LENGTH_OFFSET, true, 4096, "control region at 4096 of 4096 bytes"),
                new Patch(Header.DATA_OFFSET_OFFSET, true, 4096, "data region at 4096 of 131072 bytes"),
                new Patch(Header.DATA_LENGTH_OFFSET, true, 1L << 40, "data region at " + data + " of " + (1L << 40) + " bytes"),
                new Patch(Header.FILE_LENGTH_OFFSET, true, 1L << 20, "file length field 1048576, expected " + (data + 131072)),
        };
        for (Patch p : patches) {
            long before = p.isLong ? Peer.getLong(file, p.offset) : Peer.getInt(file, p.offset);
            if (p.isLong) Peer.putLong(file, p.offset, p.value);
            else Peer.putInt(file, p.offset, (int) p.value);
            refused(p.message);
            if (p.isLong) Peer.putLong(file, p.offset, before);
            else Peer.putInt(file, p.offset, (int) before);
            try (SharedCounters c = SharedCounters.open(spec())) {
                assertEquals(0, c.sum(0), "restored after " + p.message);
            }
        }
    }

    @Test
    void aValueSchemaOtherThanI64IsRefused() {
        // the value schema text follows the (empty) key schema at offset 256: "i64" becomes "u64"
        Peer.putInt(file, Header.SCHEMA_TEXT_OFFSET, 'u' | '6' << 8 | '4' << 16 | Peer.getInt(file, Header.SCHEMA_TEXT_OFFSET) & 0xFF000000);
        refused("a counter map has value schema i64 and no key schema, not '' -> 'u64'");
    }

    @Test
    void aTruncatedFileIsRefused() throws IOException {
        long length = CounterLayout.dataOffset() + CounterLayout.dataLength(3);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(length - 4096);
        }
        CorruptMapException e = assertThrows(CorruptMapException.class, () -> SharedCounters.open(spec()));
        assertEquals("map '" + name + "' is truncated: the file has " + (length - 4096) + " bytes, its header needs "
                + length, e.getMessage());
    }

    @Test
    void hostileCellsAndAFullBitmapAreSummedAsTheyAre() {
        for (int w = 0; w < CounterLayout.USED_WORDS; w++) Peer.putLong(file, Peer.CONTROL + CounterLayout.USED + w * 8L, -1L);
        Peer.putLong(file, Peer.CONTROL + CounterLayout.SUMMARY, -1L); // bits 16..63 point at no word: ignored
        long data = CounterLayout.dataOffset();
        Peer.putLong(file, data + 5 * 128, Long.MAX_VALUE);       // slot 5, counter 0
        Peer.putLong(file, data + 6 * 128, 2);                    // slot 6, counter 0: wraps around
        Peer.putLong(file, data + 1023 * 128 + 16, -7);           // slot 1023, counter 2
        Peer.putLong(file, data + 9 * 128 + 24, 99);              // slot 9, past the counters: padding, never read
        try (SharedCounters c = SharedCounters.open(spec())) {
            assertEquals(Long.MIN_VALUE + 1, c.sum(0));
            assertEquals(-7, c.sum(2));
            assertEquals(1024, c.cells(1).size());
            c.increment(1);
            assertEquals(1, c.sum(1));
        }
    }

    @Test
    void aSummaryThatPointsAtEmptyWordsOnlyCostsAReadAndTheSlotsItOmitsAreNotRead() {
        long data = CounterLayout.dataOffset();
        try (SharedCounters c = SharedCounters.open(spec())) {
            c.add(0, 2);
            // a word of the bitmap that no handle's slot is in (the summary does not point at it), given a bit and
            // its slot a cell: not read while the summary does not point at the word
            long summary = Peer.getLong(file, Peer.CONTROL + CounterLayout.SUMMARY);
            int word = 63 - Long.numberOfLeadingZeros(~summary & 0xFFFFL);
            int slot = word * 64 + 63;
            Peer.putLong(file, Peer.CONTROL + CounterLayout.USED + word * 8L, 1L << 63);
            Peer.putLong(file, data + slot * 128L, 5);
            assertEquals(2, c.sum(0));
            Peer.putLong(file, Peer.CONTROL + CounterLayout.SUMMARY, 0xFFFFL);
            assertEquals(7, c.sum(0));
            // the creator's slot and this handle's as well; the planted slot was never claimed (pid 0); cells come in
            // slot order, and this process's slot may be above or below the planted one
            List<CounterCell> expected = new ArrayList<>(List.of(
                    new CounterCell(c.slot(), (int) ProcessHandle.current().pid(), 2), new CounterCell(slot, 0, 5)));
            expected.sort(Comparator.comparingInt(CounterCell::slot));
            assertEquals(expected, c.cells(0).stream().filter(x -> x.value() != 0).toList());
        }
    }
}
