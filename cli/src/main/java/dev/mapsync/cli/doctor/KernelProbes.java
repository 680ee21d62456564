package dev.mapsync.cli.doctor;

import dev.mapsync.Schema;
import dev.mapsync.internal.sys.Bpf;
import dev.mapsync.internal.btf.Btf;
import dev.mapsync.internal.btf.BtfWriter;
import dev.mapsync.internal.sys.KernelMapInfo;
import dev.mapsync.internal.sys.Layouts;
import dev.mapsync.internal.sys.Arch;
import dev.mapsync.internal.sys.Errno;
import dev.mapsync.internal.sys.LibC;
import dev.mapsync.internal.sys.SyscallException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * What the kernel lets this process do with BPF, found by doing it: each probe makes a kernel object, uses it,
 * and closes it before it returns (a map or BTF object lives only while a descriptor, a mapping or a pin holds it;
 * probes pin nothing).
 */
final class KernelProbes {
    private KernelProbes() {}

    private static final String PROBE_NAME = "mapsync_doctor";
    private static final String NEEDS_CAP_BPF = "give the process CAP_BPF (see CAP_BPF)";
    private static final String OR_SHM = "use a newer kernel, or the shm backend";

    static Check bpfSyscall() {
        int errno = Bpf.probeErrno();
        String name = "bpf(2)";
        return switch (errno) {
            case Errno.EINVAL -> Check.ok(name, true, "the kernel answers bpf(2): it is there and nothing blocks it");
            case Errno.ENOSYS -> Check.missing(name, true, "this kernel has no bpf(2) (built without CONFIG_BPF_SYSCALL)",
                    "use a kernel with CONFIG_BPF_SYSCALL=y, or the shm backend");
            case Errno.EPERM -> Check.missing(name, true, "bpf(2) is refused to this process (EPERM): a seccomp filter or a"
                    + " security module blocks it (before Linux 6.5, also kernel.unprivileged_bpf_disabled)",
                    "in a container, allow bpf(2): Docker's default seccomp profile lets it through only with the"
                            + " matching capability (--cap-add SYS_ADMIN; newer versions also --cap-add BPF), or run with a"
                            + " seccomp profile that permits bpf; otherwise check the security module's policy");
            default -> Check.missing(name, true, "bpf(2) with an unknown command gave " + Errno.name(errno)
                    + ", not EINVAL", "unexpected answer; the shm backend works without bpf(2)");
        };
    }

    static Check mmapableArrays() {
        String name = "mmapable arrays";
        int fd;
        try {
            fd = Bpf.mapCreate(KernelMapInfo.TYPE_ARRAY, 4, Long.BYTES, 1, KernelMapInfo.F_MMAPABLE, PROBE_NAME, null);
        } catch (SyscallException e) {
            return switch (e.errno()) {
                case Errno.EPERM -> Check.missing(name, true, e.getMessage(), NEEDS_CAP_BPF);
                case Errno.EINVAL -> Check.missing(name, true, "the kernel refuses BPF_F_MMAPABLE arrays (Linux 5.5 brings"
                        + " them): " + e.getMessage(), OR_SHM);
                default -> Check.missing(name, true, e.getMessage(), OR_SHM);
            };
        }
        long written = 0x636e_7973_7061_6dL; // "mapsync" in little-endian bytes
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment page = LibC.mmapShared(fd, 0, Arch.PAGE_SIZE, LibC.PROT_READ | LibC.PROT_WRITE, arena,
                    "the doctor's probe array");
            page.set(Layouts.LONG, 0, written);
            MemorySegment read = arena.allocate(Long.BYTES, Long.BYTES);
            Bpf.lookupIndex(fd, 0, read);
            long seen = read.get(Layouts.LONG, 0);
            if (seen != written) {
                return Check.missing(name, true, String.format("a value written through the mapping (%x) was read"
                        + " back through bpf(2) as %x", written, seen), OR_SHM);
            }
            return Check.ok(name, true, "made a BPF_F_MMAPABLE array and mapped it; a value written through the"
                    + " mapping was read back with BPF_MAP_LOOKUP_ELEM");
        } catch (SyscallException e) {
            return Check.missing(name, true, "the array was made, but " + e.getMessage(), OR_SHM);
        } finally {
            LibC.close(fd);
        }
    }

    static Check ringBuffers() {
        String name = "ring buffers";
        int fd;
        try {
            // the data size is a power of two and a multiple of the page size
            fd = Bpf.mapCreate(KernelMapInfo.TYPE_RINGBUF, 0, 0, (int) Arch.PAGE_SIZE, 0, PROBE_NAME, null);
        } catch (SyscallException e) {
            return switch (e.errno()) {
                case Errno.EPERM -> Check.missing(name, false, e.getMessage(), NEEDS_CAP_BPF);
                case Errno.EINVAL -> Check.missing(name, false, "the kernel has no BPF_MAP_TYPE_RINGBUF (Linux 5.8"
                        + " brings it): " + e.getMessage(), "use Linux 5.8 or newer; maps work without it");
                default -> Check.missing(name, false, e.getMessage(), "maps work without it");
            };
        }
        try (Arena arena = Arena.ofConfined()) {
            // the consumer page is the one page a user may map read-write
            LibC.mmapShared(fd, 0, Arch.PAGE_SIZE, LibC.PROT_READ | LibC.PROT_WRITE, arena, "the doctor's probe ring buffer");
            return Check.ok(name, false, "made a BPF_MAP_TYPE_RINGBUF and mapped its consumer page (records that BPF"
                    + " programs write)");
        } catch (SyscallException e) {
            return Check.missing(name, false, "the ring buffer was made, but " + e.getMessage(), "maps work without it");
        } finally {
            LibC.close(fd);
        }
    }

    static Check btf() {
        String name = "BTF";
        try {
            Btf.load(BtfWriter.forArray(PROBE_NAME, Schema.scalar(Schema.Kind.I64))).close(); // loaded, then dropped
            return Check.ok(name, true, "loaded BTF, which mapsync gives every kernel map it makes (so bpftool prints"
                    + " values field by field)");
        } catch (SyscallException e) {
            return e.errno() == Errno.EPERM ? Check.missing(name, true, e.getMessage(), NEEDS_CAP_BPF)
                    : Check.missing(name, true, "the kernel refuses BTF: " + e.getMessage(), OR_SHM);
        }
    }
}
