package dev.mapsync.testkit;

import dev.mapsync.testkit.Machine;
import dev.mapsync.internal.sys.KernelAssumptions;
import dev.mapsync.internal.sys.LibC;
import dev.mapsync.launch.Jvm;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A second, unprivileged user for the security tests, and the means to run processes as it. Security is only
 * proven against a process that really is someone else, so the tests create the user ({@value #NAME}, a system
 * account without a home) when they run as root, and run children as it through {@code setpriv} with no
 * supplementary groups and no capabilities. When this process is not root, or {@code useradd} or {@code setpriv}
 * is missing, or the user cannot be made, every test of the class is skipped by {@link Machine}, which says why.
 *
 * <p>The children run from a copy of the class path that the user can read (the build may live under a folder only
 * root may enter, such as {@code /root}), made once per test class and removed after it. Register with
 * {@code @RegisterExtension static}.
 */
public final class OtherUser implements BeforeAllCallback, AfterAllCallback {
    public static final String NAME = "mapsync-test-user";
    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");
    private static final Path USERADD = Path.of("/usr/sbin/useradd");
    private static final Path UNSHARE = Path.of("/usr/bin/unshare");

    private int uid = -1;
    private int gid = -1;
    private String classPath;
    private final List<Path> copies = new ArrayList<>();

    @Override
    public void beforeAll(ExtensionContext context) {
        Machine.requireRoot("a second user can only be created and impersonated by root");
        Machine.requireProgram(SETPRIV.toString(), "util-linux");
        String failed = ensureUser();
        if (failed != null) Machine.skip("second user", failed);
        uid = id("-u");
        gid = id("-g");
    }

    @Override
    public void afterAll(ExtensionContext context) {
        for (Path copy : copies) TestDirs.delete(copy);
        copies.clear();
        classPath = null;
    }

    /** Creates the user when it is missing; says why it could not, or returns null. */
    private static String ensureUser() {
        if (KernelAssumptions.run("id", "-u", NAME).exit() == 0) return null;
        Machine.requireProgram(USERADD.toString(), "passwd");
        var made = KernelAssumptions.run(USERADD.toString(), "--system", "--no-create-home", "--user-group",
                "--shell", "/usr/sbin/nologin", NAME);
        // a concurrent run may have created it first: only its absence afterwards is a failure
        if (KernelAssumptions.run("id", "-u", NAME).exit() != 0) {
            return "useradd " + NAME + " failed (exit " + made.exit() + "): " + made.err().strip();
        }
        return null;
    }

    private static int id(String what) {
        return Integer.parseInt(KernelAssumptions.run("id", what, NAME).ok().out().strip());
    }

    public int uid() {
        return uid;
    }

    public int gid() {
        return gid;
    }

    /** The command prefix that runs what follows as this user: no supplementary groups, no capabilities. */
    public List<String> as() {
        return List.of(SETPRIV.toString(), "--reuid=" + uid, "--regid=" + gid, "--clear-groups");
    }

    /** {@link #as()} followed by {@code command}. */
    public List<String> as(String... command) {
        List<String> all = new ArrayList<>(as());
        all.addAll(List.of(command));
        return all;
    }

    /** A test child ({@link TestJvm}) running {@code mainClass} from {@link #classPath()}, without a perf data file. */
    private Jvm jvm(Class<?> mainClass) {
        return TestJvm.of(mainClass).jvmOptions("-XX:-UsePerfData").classPath(classPath());
    }

    /** A test child that runs {@code mainClass} as this user, to describe further and start. */
    public Jvm jvmAs(Class<?> mainClass) {
        return jvm(mainClass).prefix(as());
    }

    /** The java command that runs {@code mainClass} from {@link #classPath()} (as whoever runs it). */
    public List<String> java(Class<?> mainClass, String... args) {
        return jvm(mainClass).args(args).command();
    }

    /** {@link #java} run as this user. */
    public List<String> javaAs(Class<?> mainClass, String... args) {
        return jvmAs(mainClass).args(args).command();
    }

    /** This JVM's class path (test libraries left out) copied where this user can read it. */
    public synchronized String classPath() {
        if (classPath != null) return classPath;
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(":")) {
            if (entry.isEmpty() || entry.contains("junit") || entry.contains("opentest4j") || entry.contains("apiguardian")
                    || entry.contains("jqwik") || !Files.exists(Path.of(entry))) continue;
            Path copy = TestDirs.worldReadableCopy(Path.of(entry));
            copies.add(copy.getParent());
            entries.add(copy.toString());
        }
        classPath = String.join(":", entries);
        return classPath;
    }

    /** Runs a command to its end (at most 60 s). */
    public static KernelAssumptions.Run run(List<String> command) {
        return KernelAssumptions.run(command.toArray(String[]::new));
    }

    /**
     * Runs {@code script} with {@code sh -e} in a private mount namespace whose {@code /dev/shm} is a new, empty tmpfs
     * (mode 1777, as on every system), so that the default folders can be planted without touching the real ones.
     * The script sees {@code $AS_USER} (the prefix that runs a command as this user) in its environment.
     */
    public KernelAssumptions.Run inPrivateShm(String script) {
        String prefix = String.join(" ", as());
        return KernelAssumptions.run(UNSHARE.toString(), "-m", "--propagation", "private", "sh", "-ec",
                "mount -t tmpfs -o mode=1777,size=64m mapsync-test /dev/shm\nAS_USER='" + prefix + "'\n" + script);
    }
}
