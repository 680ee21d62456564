package dev.mapsync.cli.doctor;

import dev.mapsync.internal.store.Bpffs;
import dev.mapsync.internal.sys.LibC;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What this kernel and this process allow mapsync to do, line by line ({@link Check}), and what that means for
 * each backend. Every probe object is gone when {@link #examine} returns.
 */
public final class Doctor {
    private Doctor() {}

    /** The checks the bpf backend needs to create maps (with the map folder, where their sidecars go). */
    static final List<String> BPF_CREATE = List.of("bpf(2)", "CAP_BPF", "bpffs", "mmapable arrays", "BTF", "map folder");
    /** The check a process needs to open bpf maps others made (with bpffs mounted, not just mountable). */
    static final List<String> BPF_OPEN = List.of("bpf(2)");

    /** What one backend can do here: {@code ready}, {@code open only} or {@code not available}, and why. */
    public record Verdict(String state, String detail) {}

    /**
     * The checks in display order and the backends' verdicts.
     *
     * @param ok true when every required check is ok (optional ones may be missing)
     */
    public record Report(List<Check> checks, boolean ok, Verdict shm, Verdict bpf) {}

    /** Runs every probe; {@code mapDir} is the folder of map files and sidecars. */
    public static Report examine(Path mapDir) {
        Capabilities caps;
        try {
            caps = Capabilities.ofThisProcess();
        } catch (IOException | IllegalArgumentException e) {
            caps = new Capabilities(0); // no /proc: say every capability is missing rather than guess
        }
        String sysctl = null, sysctlError = null;
        try {
            sysctl = Files.readString(SystemProbes.UNPRIVILEGED_BPF_SYSCTL);
        } catch (IOException e) {
            sysctlError = e.toString();
        }
        List<Check> checks = List.of(
                KernelProbes.bpfSyscall(),
                SystemProbes.capBpf(caps),
                SystemProbes.capSysAdmin(caps),
                SystemProbes.unprivilegedBpf(sysctl, sysctlError),
                SystemProbes.bpffs(caps, LibC.geteuid()),
                KernelProbes.mmapableArrays(),
                KernelProbes.ringBuffers(),
                KernelProbes.btf(),
                SystemProbes.pinsForOthers(),
                SystemProbes.mapFolder(mapDir));
        boolean ok = checks.stream().allMatch(c -> c.ok() || !c.required());
        return new Report(checks, ok, shmVerdict(checks, mapDir), bpfVerdict(checks));
    }

    static Verdict shmVerdict(List<Check> checks, Path mapDir) {
        Check folder = byName(checks).get("map folder");
        return folder.ok() ? new Verdict("ready", "maps in " + mapDir)
                : new Verdict("open only", "this process cannot make maps in " + mapDir + "; it opens maps there as"
                + " their mode allows");
    }

    static Verdict bpfVerdict(List<Check> checks) {
        Map<String, Check> byName = byName(checks);
        List<String> missing = BPF_CREATE.stream().filter(n -> !byName.get(n).ok()).toList();
        if (missing.isEmpty()) return new Verdict("ready", "this process can create, pin and map kernel maps");
        boolean canOpen = BPF_OPEN.stream().allMatch(n -> byName.get(n).ok()) && Bpffs.isBpffs(Bpffs.ROOT);
        String what = " (missing: " + String.join(", ", missing) + ")";
        return canOpen ? new Verdict("open only", "this process can open pinned maps whose mode allows it, not create"
                + " them" + what) : new Verdict("not available", "this process can neither create nor open bpf maps" + what);
    }

    private static Map<String, Check> byName(List<Check> checks) {
        return checks.stream().collect(Collectors.toMap(Check::name, Function.identity()));
    }
}
