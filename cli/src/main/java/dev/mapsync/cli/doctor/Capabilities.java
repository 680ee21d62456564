package dev.mapsync.cli.doctor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The effective capabilities of this process, from the {@code CapEff} line of {@code /proc/self/status} (a
 * 64-bit mask, bit {@code n} for capability {@code n}).
 *
 * @param effective the mask
 */
public record Capabilities(long effective) {
    /** {@code CAP_SYS_ADMIN}: mount, and everything CAP_BPF allows. */
    public static final int SYS_ADMIN = 21;
    /** {@code CAP_BPF} (Linux 5.8): create BPF maps, load BTF and programs. */
    public static final int BPF = 39;

    /** This process's capabilities. */
    public static Capabilities ofThisProcess() throws IOException {
        return parse(Files.readString(Path.of("/proc/self/status")));
    }

    /**
     * The capabilities in the text of a {@code /proc/PID/status} file.
     *
     * @throws IllegalArgumentException if it has no {@code CapEff} line
     */
    public static Capabilities parse(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("CapEff:")) return new Capabilities(Long.parseUnsignedLong(line.substring(7).strip(), 16));
        }
        throw new IllegalArgumentException("no CapEff line in the process status");
    }

    public boolean has(int capability) {
        return (effective >>> capability & 1) != 0;
    }

    /** What the kernel's {@code bpf_capable()} asks: CAP_BPF, or CAP_SYS_ADMIN, which implies it. */
    public boolean bpfCapable() {
        return has(BPF) || has(SYS_ADMIN);
    }

    /** The mask as /proc prints it. */
    public String hex() {
        return String.format("%016x", effective);
    }
}
