package dev.mapsync;

import dev.mapsync.internal.sys.LibC;
import dev.mapsync.testkit.Intruder;
import dev.mapsync.testkit.OtherUser;
import dev.mapsync.testkit.TestDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Another user plants maps, folders, symbolic links and liveness files where root will look for its own, in folders
 * that more users than one may write; root refuses each with a message that names the file, its owner, why, and how
 * to fix it, and the planted things are left as they were.
 */
class PlantedMapTest {
    @RegisterExtension
    static final OtherUser user = new OtherUser();

    /** A root-owned folder like /tmp: anyone may create, only owners may delete. */
    private Path shared;
    /** A folder only root may enter, for files the links point at. */
    private Path secret;

    @BeforeEach
    void setUp() throws Exception {
        shared = TestDirs.create();
        LibC.chmodNoFollow(shared.toString(), 01777);
        secret = TestDirs.create();
    }

    @AfterEach
    void tearDown() {
        TestDirs.delete(shared);
        TestDirs.delete(secret);
    }

    private static ArraySpec<Long> spec(Path dir, String name) {
        return MapSpec.array(name, Codec.i64(), 4).dir(dir);
    }

    private void asUser(String... command) {
        OtherUser.run(user.as(command)).ok();
    }

    private void plantMap(Path dir, String name) {
        var run = OtherUser.run(user.javaAs(Intruder.class, "create", dir.toString(), name, "0666"));
        assertEquals("create: created\n", run.out(), run.err());
    }

    private String fix() {
        return "; remove it as root, or set MAPSYNC_DIR / --dir to a folder you own";
    }

    @Test
    void aMapAnotherUserMadeInAFolderOthersMayWriteIsRefused() throws Exception {
        plantMap(shared, "accounts");
        String why = "refusing map 'accounts': " + shared.resolve("accounts") + " is owned by uid " + user.uid()
                + ", not by you (uid 0) or root, in " + shared + ", which other users may write, so any of them could have"
                + " planted it" + fix();
        for (var open : List.<Runnable>of(() -> SharedArray.open(spec(shared, "accounts")).close(),
                () -> SharedArray.openReadOnly(spec(shared, "accounts")).close(),
                () -> SharedArray.openOrCreate(spec(shared, "accounts")).close())) {
            MapAccessDeniedException e = assertThrows(MapAccessDeniedException.class, open::run);
            assertEquals(why, e.getMessage());
        }

        // a group folder is no better: every member may replace what is in it
        Path group = TestDirs.create();
        try {
            Files.setPosixFilePermissions(group, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxr-x"));
            OtherUser.run(List.of("chgrp", Integer.toString(user.gid()), group.toString())).ok();
            plantMap(group, "accounts");
            MapAccessDeniedException e = assertThrows(MapAccessDeniedException.class,
                    () -> SharedArray.open(spec(group, "accounts")).close());
            assertEquals("refusing map 'accounts': " + group.resolve("accounts") + " is owned by uid " + user.uid()
                    + ", not by you (uid 0) or root, in " + group + ", which other users may write, so any of them could"
                    + " have planted it" + fix(), e.getMessage());
        } finally {
            TestDirs.delete(group);
        }
    }

    @Test
    void aFolderAnotherUserOwnsThatAnyoneMayWriteIsRefused() {
        Path planted = shared.resolve("planted");
        asUser("mkdir", "-m", "1777", planted.toString());
        MapAccessDeniedException e = assertThrows(MapAccessDeniedException.class,
                () -> SharedArray.create(spec(planted, "mine")).close());
        String why = "refusing folder " + planted + ": it is owned by uid " + user.uid() + ", not by you (uid 0) or root,"
                + " and anyone may write it, so its owner may delete or replace any map in it" + fix();
        assertEquals(why, e.getMessage());
        assertFalse(Files.exists(planted.resolve("mine")));
        plantMap(planted, "theirs");
        assertEquals(why, assertThrows(MapAccessDeniedException.class,
                () -> SharedArray.openReadOnly(spec(planted, "theirs")).close()).getMessage());
    }

    @Test
    void symbolicLinksToMapsAndFoldersAreNotFollowed() throws Exception {
        try (SharedArray<Long> mine = SharedArray.create(spec(secret, "mine"))) {
            mine.set(0, 5L);
        }
        String before = TestDirs.fingerprint(secret.resolve("mine"));
        asUser("ln", "-s", secret.resolve("mine").toString(), shared.resolve("link").toString());
        MapAccessDeniedException file = assertThrows(MapAccessDeniedException.class,
                () -> SharedArray.open(spec(shared, "link")).close());
        assertEquals("refusing map 'link': " + shared.resolve("link") + " is a symbolic link, and mapsync never follows"
                + " links", file.getMessage());

        asUser("ln", "-s", secret.toString(), shared.resolve("folder").toString());
        String why = "refusing folder " + shared.resolve("folder") + ": it is a symbolic link (owned by uid " + user.uid()
                + "), and mapsync never follows links" + fix();
        assertEquals(why, assertThrows(MapAccessDeniedException.class,
                () -> SharedArray.open(spec(shared.resolve("folder"), "mine")).close()).getMessage());
        assertEquals(why, assertThrows(MapAccessDeniedException.class,
                () -> SharedArray.create(spec(shared.resolve("folder"), "other")).close()).getMessage());
        assertEquals(before, TestDirs.fingerprint(secret.resolve("mine")));
        assertFalse(Files.exists(secret.resolve("other")));
    }

    @Test
    void aPlantedLivenessFileIsRefusedOrReplaced() throws Exception {
        Path target = secret.resolve("target");
        Files.writeString(target, "root's own file\n");
        SharedArray.create(spec(shared, "m").mode(0644)).close();
        Path live = shared.resolve("m.live");
        assertTrue(Files.deleteIfExists(live), "the map was made with its liveness file");

        // a map without one: the other user plants a link, or a file of their own, in its place
        asUser("ln", "-s", target.toString(), live.toString());
        MapAccessDeniedException link = assertThrows(MapAccessDeniedException.class, () -> SharedArray.open(spec(shared, "m")).close());
        assertEquals("refusing map 'm': " + live + " is a symbolic link, and mapsync never follows links", link.getMessage());
        assertEquals("root's own file\n", Files.readString(target));
        Files.delete(live);
        asUser("sh", "-c", "umask 0 && : > " + live);
        MapAccessDeniedException owned = assertThrows(MapAccessDeniedException.class, () -> SharedArray.open(spec(shared, "m")).close());
        assertEquals("refusing map 'm': " + live + " is owned by uid " + user.uid() + ", not by you (uid 0) or root, in "
                + shared + ", which other users may write, so any of them could have planted it" + fix(), owned.getMessage());

        // before a map exists, a file planted under its liveness file's name is replaced by the map's creator
        Path next = shared.resolve("n.live");
        asUser("sh", "-c", "umask 0 && : > " + next);
        long plantedInode = LibC.lstat(next.toString()).inode();
        SharedArray.create(spec(shared, "n").mode(0644)).close();
        LibC.FileStat made = LibC.lstat(next.toString());
        assertEquals(0, made.uid());
        assertEquals(0600, made.permissions(), "read-write for exactly the classes that may write the map");
        assertTrue(made.inode() != plantedInode, "the planted file is gone");
    }

    @Test
    void aUserCannotDeleteAnotherUsersMap() {
        SharedArray.create(spec(shared, "keep").mode(0666)).close();
        var run = OtherUser.run(user.javaAs(Intruder.class, "rm", shared.toString(), "keep"));
        assertEquals("rm: MapAccessDeniedException: cannot delete map 'keep': " + shared.resolve("keep") + " is owned by"
                + " uid 0 and " + shared + " has the sticky bit, so only its owner or root may delete it\n", run.out(), run.err());
        assertTrue(Files.exists(shared.resolve("keep")));
        assertTrue(Files.exists(shared.resolve("keep.live")));
    }
}
