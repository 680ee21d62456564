package dev.mapsync.cli;

import dev.mapsync.cli.doctor.Capabilities;
import dev.mapsync.internal.store.Bpffs;
import dev.mapsync.internal.sys.KernelAssumptions;
import dev.mapsync.internal.sys.LibC;
import dev.mapsync.launch.Jvm;
import dev.mapsync.testkit.Machine;
import dev.mapsync.testkit.TestDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code mapsync doctor}: what it finds on this machine, what it finds for a process without privileges, and that it leaves nothing behind. */
class DoctorTest {
    private static final List<String> NAMES = List.of("bpf(2)", "CAP_BPF", "CAP_SYS_ADMIN", "unprivileged bpf", "bpffs",
            "mmapable arrays", "ring buffers", "BTF", "pins for others", "map folder");

    private Path dir;
    private final List<Path> copies = new ArrayList<>();

    @BeforeEach
    void setUp() {
        dir = TestDirs.create();
    }

    @AfterEach
    void tearDown() {
        TestDirs.delete(dir);
        copies.forEach(TestDirs::delete);
    }

    /** The check lines of the text report: status and name of each, in order. */
    private static List<String> statusLines(String out) {
        return out.lines().filter(l -> l.startsWith("ok ") || l.startsWith("missing "))
                .map(l -> l.substring(0, Math.min(l.length(), 26)).stripTrailing()).toList();
    }

    private static String line(String status, String name) {
        return String.format("%-8s %s", status, name);
    }

    @Test
    void onAMachineThatAllowsEverythingEveryRequiredLineIsOkAndNothingIsLeftBehind() throws IOException {
        Machine.requireBpf();
        Capabilities caps = Capabilities.ofThisProcess();
        Cli.run("doctor", "--dir=" + dir); // loads every class first: a class loader may keep a jar open
        Set<String> fdsBefore = openFds();
        List<String> bpfMappingsBefore = bpfMappings();

        Cli doctor = Cli.run("doctor", "--dir=" + dir);

        assertEquals(0, doctor.code(), doctor.out() + doctor.err());
        assertEquals(List.of(line("ok", "bpf(2)"), line("ok", "CAP_BPF"),
                line(caps.has(Capabilities.SYS_ADMIN) ? "ok" : "missing", "CAP_SYS_ADMIN"), line("ok", "unprivileged bpf"),
                line("ok", "bpffs"), line("ok", "mmapable arrays"), line("ok", "ring buffers"), line("ok", "BTF"),
                line(pinsReachable() ? "ok" : "missing", "pins for others"), line("ok", "map folder")),
                statusLines(doctor.out()));
        assertTrue(doctor.out().contains("\nok       map folder        " + dir + " is writable: shm maps and bpf sidecars"
                + " live here\n"), doctor.out());
        assertTrue(doctor.out().endsWith("shm backend  ready: maps in " + dir + "\n"
                + "bpf backend  ready: this process can create, pin and map kernel maps\n"), doctor.out());

        assertEquals(fdsBefore, openFds(), "every probe's descriptor is closed");
        assertEquals(bpfMappingsBefore, bpfMappings(), "every probe's mapping is gone");
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(), files.toList(), "the folder probe's file is deleted");
        }

        String json = Cli.run("doctor", "--dir=" + dir, "--json").out();
        assertTrue(json.startsWith("{\"ok\":true,\"kernel\":\"" + System.getProperty("os.version") + "\",\"uid\":"
                + LibC.geteuid() + ",\"checks\":[{\"name\":\"bpf(2)\",\"status\":\"ok\",\"required\":true,"
                + "\"detail\":\"the kernel answers bpf(2): it is there and nothing blocks it\",\"fix\":\"\"},"), json);
        assertTrue(json.endsWith(",\"shm\":\"ready\",\"shm_detail\":\"maps in " + dir + "\",\"bpf\":\"ready\","
                + "\"bpf_detail\":\"this process can create, pin and map kernel maps\"}\n"), json);
    }

    @Test
    void aProcessWithoutPrivilegesIsToldWhatIsMissingAndHowToFixIt() throws Exception {
        Machine.requireBpf();
        Path setpriv = Machine.requireProgram("/usr/bin/setpriv", "util-linux");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x")); // nobody may not write it
        List<String> doctor = Jvm.main(Main.class).jvmOptions("-XX:-UsePerfData").classPath(readableClassPath())
                .prefix(List.of(setpriv.toString(), "--reuid=65534", "--regid=65534", "--clear-groups"))
                .args("doctor", "--dir=" + dir).command();
        KernelAssumptions.Run run = KernelAssumptions.run(doctor.toArray(String[]::new));
        String out = run.out();

        assertEquals(6, run.exit(), out + run.err());
        assertEquals(List.of(line("ok", "bpf(2)"), line("missing", "CAP_BPF"), line("missing", "CAP_SYS_ADMIN"),
                line("ok", "unprivileged bpf"), line("ok", "bpffs"), line("missing", "mmapable arrays"),
                line("missing", "ring buffers"), line("missing", "BTF"),
                line(pinsReachable() ? "ok" : "missing", "pins for others"), line("missing", "map folder")),
                statusLines(out));
        String fixColumn = " ".repeat(27) + "fix: ";
        assertTrue(out.contains("\nmissing  CAP_BPF           this process lacks it (CapEff 0000000000000000), so it cannot"
                + " create bpf maps; opening a pinned map needs only the pin's file mode\n" + fixColumn + "run as root, or"
                + " grant CAP_BPF: setcap cap_bpf+ep on the java binary, AmbientCapabilities=CAP_BPF in a systemd unit,"
                + " docker run --cap-add BPF\n"), out);
        assertTrue(out.contains("\nmissing  CAP_SYS_ADMIN     (optional) this process lacks it; only mounting bpffs and"
                + " reading the BTF of a map pinned by another program (to learn its schema) need it\n"), out);
        assertTrue(out.contains("\nmissing  mmapable arrays   bpf(BPF_MAP_CREATE, mapsync_doctor): EPERM (needs CAP_BPF or"
                + " root)\n" + fixColumn + "give the process CAP_BPF (see CAP_BPF)\n"), out);
        assertTrue(out.contains("\nmissing  BTF               bpf(BPF_BTF_LOAD): EPERM (needs CAP_BPF or root)\n"), out);
        assertTrue(out.contains("\nmissing  map folder        cannot make files in " + dir + ": permission denied\n"
                + fixColumn + "choose a folder this process may write, on tmpfs: --dir DIR or MAPSYNC_DIR=DIR\n"), out);
        assertTrue(out.endsWith("shm backend  open only: this process cannot make maps in " + dir + "; it opens maps"
                + " there as their mode allows\n"
                + "bpf backend  open only: this process can open pinned maps whose mode allows it, not create them"
                + " (missing: CAP_BPF, mmapable arrays, BTF, map folder)\n"), out);
    }

    @Test
    void capabilitiesAreReadFromTheCapEffLine() {
        Capabilities root = Capabilities.parse("Name:\tjava\nCapPrm:\t000001ffffffffff\nCapEff:\t000001fffeffffff\n");
        assertTrue(root.has(Capabilities.BPF));
        assertTrue(root.has(Capabilities.SYS_ADMIN));
        assertFalse(root.has(24), "CAP_SYS_RESOURCE is the one bit off");
        assertEquals("000001fffeffffff", root.hex());
        Capabilities adminOnly = Capabilities.parse("CapEff:\t0000000000200000\n");
        assertFalse(adminOnly.has(Capabilities.BPF));
        assertTrue(adminOnly.bpfCapable(), "CAP_SYS_ADMIN stands in for CAP_BPF");
        assertFalse(Capabilities.parse("CapEff:\t0000000000000000\n").bpfCapable());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Capabilities.parse("Name:\tx\n"));
        assertEquals("no CapEff line in the process status", e.getMessage());
    }

    @Test
    void helpDocumentsTheExitCodes() {
        Cli help = Cli.run("doctor", "--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("Exits 0 when everything both backends need is there"), help.out());
        assertTrue(help.out().contains("doctor found something a backend needs"), help.out());
    }

    /** Whether /sys/fs/bpf and /sys/fs/bpf/mapsync (when it exists) let every user through, as the doctor judges. */
    private static boolean pinsReachable() {
        int root = LibC.lstat(Bpffs.ROOT.toString()).permissions();
        if ((root & 0001) == 0) return false;
        if (!Files.exists(Bpffs.MAPSYNC_DIR)) return true;
        return (LibC.lstat(Bpffs.MAPSYNC_DIR.toString()).permissions() & 01777) == 01777;
    }

    /** The CLI's class path (its classes and libraries, built as folders or jars) copied where uid 65534 can read it. */
    private String readableClassPath() {
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(":")) {
            if (entry.isEmpty() || entry.contains("junit") || entry.contains("opentest4j") || entry.contains("apiguardian")) continue;
            Path copy = TestDirs.worldReadableCopy(Path.of(entry));
            copies.add(copy.getParent());
            entries.add(copy.toString());
        }
        return String.join(":", entries);
    }

    private static Set<String> openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.map(fd -> {
                try {
                    return fd.getFileName() + " -> " + Files.readSymbolicLink(fd);
                } catch (IOException e) {
                    return fd.getFileName() + " (closed while listing)"; // the listing's own descriptor
                }
            }).filter(s -> !s.endsWith("(closed while listing)")).collect(Collectors.toSet());
        }
    }

    private static List<String> bpfMappings() throws IOException {
        return Arrays.stream(Files.readString(Path.of("/proc/self/maps")).split("\n"))
                .filter(l -> l.contains("anon_inode:bpf") || l.contains("bpf-map") || l.contains("bpf-ringbuf")).toList();
    }
}
