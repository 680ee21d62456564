package dev.mapsync;

import dev.mapsync.internal.store.ControlLayout;
import dev.mapsync.internal.hash.HashLayout;
import dev.mapsync.internal.store.Header;
import dev.mapsync.internal.sys.Arch;
import dev.mapsync.testkit.TestDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.StringJoiner;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Sizes beyond what a map may have: a new map's are refused before anything is made (no file is left), and a
 * header that records them is a corrupt map, whatever int arithmetic would make of them.
 */
class MapLimitsTest {
    private Path dir;

    @BeforeEach
    void setUp() {
        dir = TestDirs.create();
    }

    @AfterEach
    void tearDown() {
        TestDirs.delete(dir);
    }

    private void refusedLeavingNothing(String message, org.junit.jupiter.api.function.Executable create) throws IOException {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, create);
        assertEquals(message, e.getMessage());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.count(), "no file is left behind");
        }
    }

    @Test
    void aValueWhoseStrideWouldNotFitAnIntIsRefused() throws IOException {
        // char[2^31 - 1] rounds up to a stride of 2^31: it once made a 2 GiB file every later open called corrupt
        refusedLeavingNothing("map 'zc': value size 2147483647 is larger than 2147483639 bytes, the most a key or value"
                + " may have", () -> SharedArray.create(MapSpec.array("zc", Codec.chars(Integer.MAX_VALUE), 1).dir(dir)));
        refusedLeavingNothing("map 'zc': value size 2147483640 is larger than 2147483639 bytes, the most a key or value"
                + " may have", () -> SharedArray.create(MapSpec.array("zc", Codec.bytes(Integer.MAX_VALUE - 7), 1).dir(dir)));
    }

    @Test
    void hashKeysAndValuesHaveTheSameBound() throws IOException {
        refusedLeavingNothing("map 'zh': key size 2147483647 is larger than 2147483639 bytes, the most a key or value"
                + " may have", () -> SharedHashMap.create(HashSpec.of("zh", Codec.chars(Integer.MAX_VALUE), Codec.i64(), 1).dir(dir)));
        refusedLeavingNothing("map 'zh': value size 2147483647 is larger than 2147483639 bytes, the most a key or value"
                + " may have", () -> SharedHashMap.create(HashSpec.of("zh", Codec.i64(), Codec.chars(Integer.MAX_VALUE), 1).dir(dir)));
    }

    @Test
    void aMapLargerThanAProcessCanMapIsRefused() throws IOException {
        // 2^27 values of 1 MiB: 128 TiB
        refusedLeavingNothing("map 'big': it would take 140737488355328 bytes, more than the 70368744177664 (64 TiB) a map"
                + " may have", () -> SharedArray.create(MapSpec.array("big", Codec.bytes(1 << 20), 1 << 27).dir(dir)));
        // the change keys of a hash map grow with the changelog: 2^30 changes of 1 MiB keys
        long bytes = Header.SIZE + new ControlLayout(1, 1 << 30, 1 << 20).length() + new HashLayout(1 << 20, 8, 16, 1).dataLength();
        HashSpec<String, Long> keys = HashSpec.of("big", Codec.chars(1 << 20), Codec.i64(), 16).dir(dir).changelogCapacity(1 << 30);
        refusedLeavingNothing("map 'big': it would take " + bytes + " bytes, more than the 70368744177664 (64 TiB) a map"
                + " may have", () -> SharedHashMap.create(keys));
    }

    @Test
    void aSchemaTextTheHeaderCannotHoldIsRefusedWithTheSpec() throws IOException {
        StringJoiner fields = new StringJoiner(",");
        for (int i = 0; i < 500; i++) fields.add("field" + i + ":i64");
        Codec<Object> wide = Codec.of(fields.toString());
        int bytes = wide.schema().toString().length();
        refusedLeavingNothing("map 'wide': the schema text is " + bytes + " bytes; a map header holds at most 3840",
                () -> SharedArray.create(MapSpec.array("wide", wide, 1).dir(dir)));
        refusedLeavingNothing("queue 'wide': the schema text is " + bytes + " bytes; a map header holds at most 3840",
                () -> SharedRing.create(MapSpec.queue("wide", wide, 16).dir(dir)));
    }

    @Test
    void sizesAMapMayHaveAreStillMade() {
        try (SharedArray<String> a = SharedArray.create(MapSpec.array("fine", Codec.chars(1 << 20), 2).dir(dir))) {
            a.set(1, "x".repeat(1 << 20));
            assertEquals(1 << 20, a.get(1).length());
        }
    }

    // ------------------------------------------------------------------------------------------ headers on open

    private static byte[] le32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    private static byte[] le64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    private static void patch(Path file, long offset, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(bytes), offset);
        }
    }

    private static long alignDown(long n, long a) {
        return n / a * a; // Java's division truncates toward zero, as the int arithmetic did
    }

    @Test
    void aHeaderWithAKeyOfTwoGigabytesIsCorruptNotAnOverflow() throws IOException {
        HashSpec<Long, Long> spec = HashSpec.of("hk", Codec.i64(), Codec.i64(), 1).dir(dir).changelogCapacity(16)
                .openTimeout(Duration.ofMillis(200));
        SharedHashMap.create(spec).close();
        Path file = dir.resolve("hk");
        // A key of 2^31 - 1 bytes, and the region lengths that int arithmetic makes of it (negative), so that every
        // field agrees with every other as that arithmetic computed them: the header then passed all its checks
        // and the map was mapped with a negative length.
        int keySize = Integer.MAX_VALUE;
        int changeKeySize = (int) Header.stride(keySize);                          // wraps to -2^31
        long control = Arch.pageAlign(new ControlLayout(1, 16, 0).changeKeysOffset() + 16L * changeKeySize);
        int keyStride = (keySize + 7) / 8 * 8;                                      // wraps too
        long slotSize = 8L + keyStride + 8;
        long segmentSize = alignDown(128 + 16 * slotSize + 63, 64);
        long data = Arch.pageAlign(128 + segmentSize);
        String keySchema = "char[" + keySize + "]";
        patch(file, Header.KEY_SIZE_OFFSET, le32(keySize));
        patch(file, Header.CONTROL_LENGTH_OFFSET, le64(control));
        patch(file, Header.DATA_OFFSET_OFFSET, le64(Header.SIZE + control));
        patch(file, Header.DATA_LENGTH_OFFSET, le64(data));
        patch(file, Header.FILE_LENGTH_OFFSET, le64(Header.SIZE + control + data));
        patch(file, Header.KEY_SCHEMA_LENGTH_OFFSET, le32(keySchema.length()));
        patch(file, Header.VALUE_SCHEMA_LENGTH_OFFSET, le32(3));
        patch(file, Header.SCHEMA_TEXT_OFFSET, (keySchema + "i64").getBytes(StandardCharsets.UTF_8));
        CorruptMapException e = assertThrows(CorruptMapException.class, () -> SharedHashMap.open(MapSpec.existing(file)));
        assertEquals("map 'hk' is corrupt: key size 2147483647 is larger than 2147483639 bytes, the most a key or value"
                + " may have", e.getMessage());
    }

    @Test
    void aHeaderWithAValueOfTwoGigabytesIsCorrupt() throws IOException {
        ArraySpec<Long> spec = MapSpec.array("hv", Codec.i64(), 1).dir(dir).openTimeout(Duration.ofMillis(200));
        SharedArray.create(spec).close();
        Path file = dir.resolve("hv");
        patch(file, Header.VALUE_SIZE_OFFSET, le32(Integer.MAX_VALUE));
        patch(file, Header.STRIDE_OFFSET, le32(Integer.MIN_VALUE));
        CorruptMapException e = assertThrows(CorruptMapException.class, () -> SharedArray.open(MapSpec.existing(file)));
        assertEquals("map 'hv' is corrupt: value size 2147483647 is larger than 2147483639 bytes, the most a key or value"
                + " may have", e.getMessage());
    }
}
