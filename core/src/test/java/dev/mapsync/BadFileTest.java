package dev.mapsync;

import dev.mapsync.internal.store.Header;
import dev.mapsync.testkit.Machine;
import dev.mapsync.testkit.TestDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Files that are not good maps: each is refused with a clear message and left exactly as it was. */
class BadFileTest {
    private Path dir;
    private final String name = "bad";
    private ArraySpec<Long> spec;

    @BeforeEach
    void setUp() {
        dir = TestDirs.create();
        spec = MapSpec.array(name, Codec.i64(), 16).dir(dir).openTimeout(Duration.ofMillis(200));
        SharedArray.create(spec).close();
    }

    @AfterEach
    void tearDown() {
        TestDirs.delete(dir);
    }

    private Path file() {
        return dir.resolve(name);
    }

    private <T extends Throwable> T refusedWithoutChange(Class<T> type, String message) {
        String before = TestDirs.fingerprint(file());
        T e = assertThrows(type, () -> SharedArray.open(spec));
        assertEquals(message, e.getMessage());
        assertEquals(before, TestDirs.fingerprint(file()));
        return e;
    }

    private void patch(long offset, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file(), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(bytes), offset);
        }
    }

    private static byte[] le32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    @Test
    void aTruncatedFile() throws IOException {
        long size = Files.size(file());
        try (RandomAccessFile f = new RandomAccessFile(file().toFile(), "rw")) {
            f.setLength(size - 4096);
        }
        refusedWithoutChange(CorruptMapException.class,
                "map 'bad' is truncated: the file has " + (size - 4096) + " bytes, its header needs " + size);
        try (RandomAccessFile f = new RandomAccessFile(file().toFile(), "rw")) {
            f.setLength(100);
        }
        refusedWithoutChange(CorruptMapException.class,
                "map 'bad' is truncated: the file has 100 bytes, fewer than a header (4096)");
    }

    @Test
    void aForeignFile() throws IOException {
        patch(0, "#!/bin/sh\n".getBytes());
        refusedWithoutChange(CorruptMapException.class,
                "'bad' is not a mapsync map (its first bytes are 23212f62696e2f73, not \"MAPSYNC\\0\")");
    }

    @Test
    void aNewerLayoutVersion() throws IOException {
        patch(Header.VERSION_OFFSET, le32(Header.VERSION + 1));
        refusedWithoutChange(CorruptMapException.class, "map 'bad' has layout version 3, newer than this mapsync reads (2);"
                + " upgrade mapsync to open it");
    }

    @Test
    void anOlderLayoutVersion() throws IOException {
        patch(Header.VERSION_OFFSET, le32(1));
        refusedWithoutChange(IncompatibleMapException.class, "map 'bad' has layout version 1, made by an older mapsync that"
                + " kept its liveness locks in the map file itself, where any reader could block them; this mapsync reads"
                + " layout version 2: recreate the map (mapsync rm bad, then create it again)");
    }

    @Test
    void aCorruptHeaderField() throws IOException {
        patch(Header.STRIDE_OFFSET, le32(12));
        refusedWithoutChange(CorruptMapException.class, "map 'bad' is corrupt: value stride 12 for value size 8");
    }

    @Test
    void anArraysKeySchemaThatIsNotItsIndexIsCorrupt() throws IOException {
        patch(Header.SCHEMA_TEXT_OFFSET, "x".getBytes()); // "u32" -> "x32"
        refusedWithoutChange(CorruptMapException.class, "map 'bad' is corrupt: key schema: schema 'x32': expected a type"
                + " (i8, i16, i32, i64, u8, u16, u32, u64, f32, f64, bool, char[N] or {...}) at position 1, found 'x'");
        patch(Header.SCHEMA_TEXT_OFFSET, "u64".getBytes()); // "u64i64": "u64" for the key, which is 4 bytes
        refusedWithoutChange(CorruptMapException.class, "map 'bad' is corrupt: key schema u64 is 8 bytes, the key size"
                + " field says 4");
    }

    @Test
    void aMapWhoseCreatorDiedBeforeFinishingItIsRefusedAtOnce() throws IOException {
        spec = spec.openTimeout(Duration.ofSeconds(30));
        patch(Header.READY_OFFSET, le32(0));
        patch(Header.CREATOR_PID_OFFSET, le32(Integer.MAX_VALUE - 1));
        long start = System.nanoTime();
        refusedWithoutChange(CorruptMapException.class, "map 'bad' was never finished: its creator (pid 2147483646) is"
                + " no longer running; delete it (mapsync rm bad)");
        assertTrue(System.nanoTime() - start < 5_000_000_000L, "not after the open timeout (30 s)");
    }

    @Test
    void aMapWhoseCreatorLivesIsWaitedForUpToTheOpenTimeout() throws IOException {
        patch(Header.READY_OFFSET, le32(0)); // made by this process, which lives: it may still finish it
        refusedWithoutChange(CorruptMapException.class, "map 'bad' was not finished by its creator (pid "
                + ProcessHandle.current().pid() + ", still running) within 200 ms; if the creator died, delete it"
                + " (mapsync rm bad)");
    }

    @Test
    void aReadyWordThatIsNeitherZeroNorOneIsCorrupt() throws IOException {
        spec = spec.openTimeout(Duration.ofSeconds(30));
        patch(Header.READY_OFFSET, le32(7));
        refusedWithoutChange(CorruptMapException.class, "map 'bad' is corrupt: its ready word is 7, not 0 (being made) or"
                + " 1 (ready)");
        patch(Header.READY_OFFSET, le32(-1));
        refusedWithoutChange(CorruptMapException.class, "map 'bad' is corrupt: its ready word is 4294967295, not 0 (being"
                + " made) or 1 (ready)");
    }

    @Test
    void aReadyMapWithoutItsMagicIsCorrupt() throws IOException {
        spec = spec.openTimeout(Duration.ofSeconds(30));
        patch(0, new byte[8]);
        refusedWithoutChange(CorruptMapException.class, "map 'bad' is corrupt: it is marked ready, but its first bytes are"
                + " zero, not \"MAPSYNC\\0\"");
    }

    @Test
    void namesThatWouldLeaveTheFolder() {
        for (String bad : new String[]{"../etc", "a/b", "..", ".hidden", "", "-x"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> MapSpec.array(bad, Codec.i64(), 1));
            assertEquals("invalid map name '" + bad + "': use 1 to 128 of A-Z a-z 0-9 _ - (not starting with '-');"
                    + " '/', '.' and '..' are refused so that no name leaves its folder", e.getMessage());
        }
    }

    @Test
    void aSymbolicLinkIsNotFollowed() throws IOException {
        Files.move(file(), dir.resolve("real"));
        Files.createSymbolicLink(file(), dir.resolve("real"));
        MapAccessDeniedException e = assertThrows(MapAccessDeniedException.class, () -> SharedArray.open(spec));
        assertEquals("refusing map 'bad': " + file() + " is a symbolic link, and mapsync never follows links", e.getMessage());
    }

    @Test
    void somethingThatIsNotARegularFile() throws Exception {
        Files.delete(file());
        new ProcessBuilder("mkfifo", file().toString()).start().waitFor();
        MapAccessDeniedException e = assertThrows(MapAccessDeniedException.class, () -> SharedArray.open(spec));
        assertEquals("refusing map 'bad': " + file() + " is not a regular file", e.getMessage());
    }

    @Test
    void aFilePlantedByAnotherUserInASharedFolder() throws Exception {
        Machine.requireRoot("the file is given to another user");
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        new ProcessBuilder("chmod", "+t", dir.toString()).start().waitFor();
        new ProcessBuilder("chown", "65534", file().toString()).start().waitFor();
        MapAccessDeniedException e = assertThrows(MapAccessDeniedException.class, () -> SharedArray.open(spec));
        assertEquals("refusing map 'bad': " + file() + " is owned by uid 65534, not by you (uid 0) or root, in " + dir
                + ", which other users may write, so any of them could have planted it; remove it as root, or set"
                + " MAPSYNC_DIR / --dir to a folder you own", e.getMessage());
    }
}
