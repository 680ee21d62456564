package dev.mapsync.cli;

import dev.mapsync.Backend;
import dev.mapsync.internal.store.Bpffs;
import dev.mapsync.internal.sys.KernelAssumptions;
import dev.mapsync.internal.sys.LibC;
import dev.mapsync.testkit.Machine;
import dev.mapsync.testkit.OtherUser;
import dev.mapsync.testkit.TestDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command as root and as a second, unprivileged user: the default folders (in a private mount namespace with
 * its own /dev/shm, so the machine's are untouched), a default folder the other user made first, and deleting
 * another user's map. Every outcome is an exit code and one line.
 */
class CliSecurityTest {
    @RegisterExtension
    static final OtherUser user = new OtherUser();

    @RegisterExtension
    final KernelAssumptions.Pins pins = new KernelAssumptions.Pins();

    private Path shared;

    @BeforeEach
    void setUp() {
        shared = TestDirs.create();
        LibC.chmodNoFollow(shared.toString(), 01777);
    }

    @AfterEach
    void tearDown() {
        TestDirs.delete(shared);
    }

    /** The command line of the mapsync command, to run as root in a script. */
    private String mapsync() {
        return String.join(" ", user.java(Main.class));
    }

    /** The command line of the mapsync command run as the other user. */
    private String mapsyncAsUser() {
        return String.join(" ", user.javaAs(Main.class));
    }

    private static final String FIX = "; remove it as root, or set MAPSYNC_DIR / --dir to a folder you own";

    @Test
    void rootRefusesADefaultFolderAnotherUserMadeFirst() {
        Machine.requirePrivateMounts();
        String root = mapsync(), other = mapsyncAsUser();
        var run = user.inPrivateShm(String.join("\n",
                // the other user comes first, as in the report: the folder root would use, and a map in it
                "$AS_USER mkdir -m 0755 /dev/shm/mapsync",
                other + " create accounts --dir /dev/shm/mapsync --value i64 --entries 4 --mode 0644 2>&1; echo \"user create: $?\"",
                root + " create accounts --value i64 --entries 4 2>&1 || echo \"root create: $?\"",
                root + " get accounts 0 2>&1 || echo \"root get: $?\"",
                root + " list 2>&1 || echo \"root list: $?\"",
                root + " doctor > /dev/shm/doctor.txt 2>&1 || echo \"root doctor: $?\"",
                "grep -A1 '^missing  map folder' /dev/shm/doctor.txt",
                "ls /dev/shm/mapsync"));
        String refused = "mapsync: refusing folder /dev/shm/mapsync: it is owned by uid " + user.uid() + ", not by you"
                + " (uid 0) or root, and it is the default folder of root, which another user could have made first" + FIX;
        assertEquals(String.join("\n",
                "created accounts: 4 x i64 (shm backend, /dev/shm/mapsync/accounts, mode 0644)",
                "user create: 0",
                refused, "root create: 4",
                refused, "root get: 4",
                refused, "root list: 4",
                "root doctor: 6",
                "missing  map folder        refusing folder /dev/shm/mapsync: it is owned by uid " + user.uid() + ", not by"
                        + " you (uid 0) or root, and it is the default folder of root, which another user could have made first",
                " ".repeat(27) + "fix: remove it as root, or set MAPSYNC_DIR / --dir to a folder you own",
                "accounts", "accounts.live", ""), run.out(), run.err());
    }

    @Test
    void everyUserHasADefaultFolderOfTheirOwn() {
        Machine.requirePrivateMounts();
        String root = mapsync(), other = mapsyncAsUser();
        int uid = user.uid();
        var run = user.inPrivateShm(String.join("\n",
                other + " create hits --value i64 --entries 4 2>&1",
                root + " create hits --value i64 --entries 4 --mode 0644 2>&1",
                root + " set hits 0 7 2>&1",
                "stat -c '%n %U %a' /dev/shm/mapsync-" + uid + " /dev/shm/mapsync-" + uid + "/hits /dev/shm/mapsync-" + uid
                        + "/hits.live /dev/shm/mapsync /dev/shm/mapsync/hits /dev/shm/mapsync/hits.live",
                other + " list 2>&1",
                other + " get hits 0 --dir /dev/shm/mapsync 2>&1",
                other + " set hits 0 8 --dir /dev/shm/mapsync 2>&1 || echo \"user set: $?\"",
                other + " rm hits --dir /dev/shm/mapsync 2>&1 || echo \"user rm: $?\"",
                root + " get hits 0 2>&1"));
        String userDir = "/dev/shm/mapsync-" + uid;
        assertEquals(String.join("\n",
                "created hits: 4 x i64 (shm backend, " + userDir + "/hits, mode 0600)",
                "created hits: 4 x i64 (shm backend, /dev/shm/mapsync/hits, mode 0644)",
                userDir + " " + OtherUser.NAME + " 755",
                userDir + "/hits " + OtherUser.NAME + " 600",
                userDir + "/hits.live " + OtherUser.NAME + " 600",
                "/dev/shm/mapsync root 755",
                "/dev/shm/mapsync/hits root 644",
                "/dev/shm/mapsync/hits.live root 600",
                "NAME                     BACKEND TYPE     ENTRIES  VALUE",
                "hits                     shm     array          4  i64",
                "7",
                "mapsync: permission denied for map 'hits': open(/dev/shm/mapsync/hits): EACCES (permission denied)",
                "user set: 4",
                "mapsync: cannot delete map 'hits': permission denied on /dev/shm/mapsync (only its owner, uid 0, may"
                        + " change what is in it)",
                "user rm: 4",
                "7", ""), run.out(), run.err());
    }

    @Test
    void aUserCannotDeleteAnotherUsersMapAndIsToldSoInOneLine() {
        Cli.in(shared, "create", "keep", "--value", "i64", "--entries", "4", "--mode", "0666").ok();
        var run = OtherUser.run(user.javaAs(Main.class, "rm", "keep", "--dir", shared.toString()));
        assertEquals(4, run.exit(), run.out() + run.err());
        assertEquals("", run.out());
        assertEquals("mapsync: cannot delete map 'keep': " + shared.resolve("keep") + " is owned by uid 0 and " + shared
                + " has the sticky bit, so only its owner or root may delete it\n", run.err());
        assertTrue(Files.exists(shared.resolve("keep")));
        assertEquals("0\n", Cli.in(shared, "get", "keep", "0").ok().out());
    }

    /**
     * In a folder of root that the other user's group may write, without the sticky bit, the kernel would let the user
     * delete root's map; mapsync refuses, as it refuses in a sticky folder.
     */
    @Test
    void aUserCannotDeleteAnotherUsersMapInAFolderTheirGroupMayWrite() throws Exception {
        Path team = Files.createDirectory(shared.resolve("team"));
        Files.setAttribute(team, "unix:gid", user.gid());
        LibC.chmodNoFollow(team.toString(), 0770);
        Cli.in(team, "create", "keep", "--value", "i64", "--entries", "4", "--mode", "0666").ok();
        var run = OtherUser.run(user.javaAs(Main.class, "rm", "keep", "--dir", team.toString()));
        assertEquals(4, run.exit(), run.out() + run.err());
        assertEquals("", run.out());
        assertEquals("mapsync: cannot delete map 'keep': " + team.resolve("keep") + " is owned by uid 0, not by you (uid "
                + user.uid() + "), and only its owner or root may delete it\n", run.err());
        assertTrue(Files.exists(team.resolve("keep")));
        assertEquals("0\n", Cli.in(team, "get", "keep", "0").ok().out());
    }

    @Test
    void aUserFindsTheSidecarOfRootsBpfMapInRootsDefaultFolder() {
        Machine.requirePrivateMounts();
        Machine.require(Backend.BPF);
        String name = KernelAssumptions.uniqueName("shared");
        Path pin = pins.track(Bpffs.defaultPin(name));
        boolean sticky = (LibC.lstat(pin.getParent().toString()).permissions() & 01000) != 0;
        String root = mapsync(), other = mapsyncAsUser();
        var run = user.inPrivateShm(String.join("\n",
                root + " create bpf:" + name + " --value i64 --entries 4 --mode 0666 2>&1",
                root + " set bpf:" + name + " 1 41 2>&1",
                other + " add bpf:" + name + " 1 1 2>&1",
                other + " get bpf:" + name + " 1 2>&1",
                "ls /dev/shm/mapsync",
                "stat -c '%n %U %a' /dev/shm/mapsync/" + name + ".live",
                other + " rm bpf:" + name + " 2>&1 || echo \"user rm: $?\"",
                root + " rm bpf:" + name + " 2>&1",
                "ls /dev/shm/mapsync"));
        assertEquals(String.join("\n",
                "created bpf:" + name + ": 4 x i64 (bpf backend, /dev/shm/mapsync/" + name + ", mode 0666)",
                "42",
                "42",
                name, name + ".live",
                "/dev/shm/mapsync/" + name + ".live root 666",
                "mapsync: cannot remove pin " + pin + ": " + (sticky ? pin + " is owned by uid 0 and " + pin.getParent()
                        + " has the sticky bit, so only its owner or root may delete it"
                        : "permission denied on " + pin.getParent() + " (only its owner, uid 0, may change what is in it)"),
                "user rm: 4",
                ""), run.out(), run.err());
        assertTrue(!Files.exists(Bpffs.defaultPin(name)), "rm removed the pin");
    }
}
