package dev.mapsync.testkit;

import dev.mapsync.internal.sys.KernelAssumptions;
import dev.mapsync.internal.sys.LibC;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A second, unprivileged user for the security tests, and the means to run processes as it. Security is only
 * proven against a process that really is someone else, so the tests create the user ({@value #NAME}, a system
 * account without a home) when they run as root, and run children as it through {@code setpriv} with no
 * supplementary groups and no capabilities. When this process is not root, or {@code useradd} or {@code setpriv}
 * is missing, every test of the class is skipped with the reason printed, as {@link TestBackends#skip} does.
 *
 * <p>The children run from a copy of this JVM's code that the user can read (the build may live under a folder only
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
    private final Map<Path, Path> readable = new HashMap<>();
    private final List<Path> copies = new ArrayList<>();

    @Override
    public void beforeAll(ExtensionContext context) {
        String missing = missing();
        if (missing != null) skip(missing);
        uid = id("-u");
        gid = id("-g");
    }

    @Override
    public void afterAll(ExtensionContext context) {
        for (Path copy : copies) TestDirs.delete(copy);
        copies.clear();
        readable.clear();
    }

    /** Why the tests cannot run here, or null; creates the user when it is missing. */
    private static String missing() {
        if (LibC.geteuid() != 0) return "not root: a second user can only be created and impersonated by root";
        if (!Files.isExecutable(SETPRIV)) return SETPRIV + " is not installed (util-linux)";
        if (KernelAssumptions.run("id", "-u", NAME).exit() == 0) return null;
        if (!Files.isExecutable(USERADD)) return USERADD + " is not installed (passwd), so user " + NAME + " cannot be created";
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

    private static void skip(String reason) {
        System.out.println("SKIPPED [security]: " + reason);
        Assumptions.abort("security tests with a second user: " + reason);
    }

    /** Skips the calling test, with the reason printed, unless {@code unshare} can give it a private mount namespace. */
    public static void assumePrivateMounts() {
        if (!Files.isExecutable(UNSHARE)) skip(UNSHARE + " is not installed (util-linux)");
        var probe = KernelAssumptions.run(UNSHARE.toString(), "-m", "--propagation", "private", "sh", "-c",
                "mount -t tmpfs mapsync-probe /dev/shm");
        if (probe.exit() != 0) skip("no private mount namespace with a tmpfs on /dev/shm: " + probe.err().strip());
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

    /**
     * The java command that runs {@code mainClass} from copies of this JVM's code that this user can read (as whoever
     * runs it), laid out as {@link ChildJvm#codeOptions} does.
     */
    public List<String> java(Class<?> mainClass, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-Xmx128m", "-XX:-UsePerfData"));
        command.addAll(ChildJvm.codeOptions(this::readable));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        return command;
    }

    /** {@link #java} run as this user. */
    public List<String> javaAs(Class<?> mainClass, String... args) {
        List<String> all = new ArrayList<>(as());
        all.addAll(java(mainClass, args));
        return all;
    }

    /**
     * A copy of a folder or jar of this JVM's code that this user can read, made once per test class; null for a test
     * library, which the children do not need.
     */
    private synchronized Path readable(Path entry) {
        String name = entry.toString();
        if (name.contains("junit") || name.contains("opentest4j") || name.contains("apiguardian") || name.contains("jqwik")) {
            return null;
        }
        return readable.computeIfAbsent(entry, e -> {
            Path copy = TestDirs.worldReadableCopy(e);
            copies.add(copy.getParent());
            return copy;
        });
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
