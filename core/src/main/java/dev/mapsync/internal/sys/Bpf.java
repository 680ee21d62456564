package dev.mapsync.internal.sys;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code bpf(2)} commands mapsync makes, one method each. Every failure throws {@link SyscallException}
 * whose call is {@code bpf(BPF_COMMAND)} (with its subject, such as the pin path) and whose hint says what the
 * errno usually means for that command, such as {@code bpf(BPF_MAP_CREATE): EPERM (needs CAP_BPF or root)}.
 * Loading a program or BTF that the kernel refuses also carries the kernel's log.
 *
 * <p>The element commands ({@link #lookupIndex}, {@link #updateIndex}) use a per-thread attribute buffer and
 * allocate nothing, so that the syscall path can be measured against the mapping.
 */
public final class Bpf {
    private Bpf() {}

    /** {@code BPF_F_RDONLY} and {@code BPF_F_WRONLY}: the access an {@link #objGet} descriptor is opened with. */
    public static final int F_RDONLY = 1 << 3, F_WRONLY = 1 << 4;
    /** Update flags: {@code BPF_ANY}, {@code BPF_NOEXIST}, {@code BPF_EXIST}. */
    public static final long ANY = 0, NOEXIST = 1, EXIST = 2;
    /** {@code BPF_F_LOCK}: copy the value under its {@code bpf_spin_lock} (lookups, updates, batches). */
    public static final long F_LOCK = 4;

    private static final int LOG_SIZE = 1 << 16;
    private static final int LOG_LEVEL_ERRORS = 1;

    /** A thread's attribute buffer and a key slot, reused by every call the thread makes. */
    private record Scratch(MemorySegment attr, MemorySegment key) {}

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(() -> {
        Arena arena = Arena.ofAuto();
        return new Scratch(arena.allocate(BpfAttr.SIZE, 8), arena.allocate(8, 8));
    });

    /** This thread's attribute buffer, zero-filled. */
    private static MemorySegment attr() {
        return SCRATCH.get().attr().fill((byte) 0);
    }

    private static long call(BpfCommand cmd, MemorySegment attr, String subject) {
        long r = Syscall.bpf(cmd.code(), attr, BpfAttr.SIZE);
        if (r < 0) throw failure(cmd, (int) -r, subject, "");
        return r;
    }

    private static SyscallException failure(BpfCommand cmd, int errno, String subject, String log) {
        String call = "bpf(" + cmd.cName() + (subject.isEmpty() ? "" : ", " + subject) + ")";
        return new SyscallException(call, errno, hint(cmd, errno), log);
    }

    /** What {@code errno} usually means for {@code cmd}, or the empty string. */
    public static String hint(BpfCommand cmd, int errno) {
        return switch (errno) {
            case Errno.EPERM -> switch (cmd) {
                case OBJ_PIN, OBJ_GET -> "pins live only in a bpf file system (bpffs), and no name in their path may contain '.'";
                case MAP_UPDATE_ELEM, MAP_DELETE_ELEM -> "the map is frozen, or this descriptor is read-only";
                case MAP_LOOKUP_ELEM -> "this descriptor is write-only";
                case BTF_GET_FD_BY_ID -> "needs CAP_SYS_ADMIN";
                default -> "needs CAP_BPF or root";
            };
            case Errno.ENOTSUPP -> "the kernel does not support it for this map";
            case Errno.EACCES -> switch (cmd) {
                case PROG_LOAD -> "the verifier refused the program";
                case OBJ_GET -> "the pin's permission bits refuse this access";
                default -> "";
            };
            case Errno.ENOENT -> switch (cmd) {
                case OBJ_GET -> "no pin at this path";
                case MAP_LOOKUP_ELEM, MAP_UPDATE_ELEM, MAP_DELETE_ELEM -> "no element with this key";
                case MAP_LOOKUP_BATCH -> "no more elements";
                case BTF_GET_FD_BY_ID -> "no BTF object with this id";
                default -> "";
            };
            case Errno.EEXIST -> cmd == BpfCommand.OBJ_PIN ? "a file or pin exists at this path" : "";
            case Errno.EINVAL -> switch (cmd) {
                case MAP_CREATE -> "the kernel refuses this map type, size, name or flag combination";
                case MAP_DELETE_ELEM -> "array elements cannot be deleted";
                case PROG_TEST_RUN -> "this program type cannot be test-run with these arguments";
                case MAP_FREEZE -> "the map cannot be frozen";
                default -> "";
            };
            case Errno.EBUSY -> cmd == BpfCommand.MAP_FREEZE ? "the map is mapped writable" : "";
            case Errno.E2BIG -> switch (cmd) {
                case MAP_CREATE -> "the key, the value or the map is too large";
                case MAP_UPDATE_ELEM -> "the hash map is full (max_entries)";
                default -> "";
            };
            case Errno.ENOSPC -> cmd == BpfCommand.MAP_LOOKUP_BATCH ? "a bucket holds more elements than the batch has room for" : "";
            default -> "";
        };
    }

    /** A command number no kernel knows: the kernel's answer to it says whether bpf(2) can be called at all. */
    private static final int UNKNOWN_COMMAND = Integer.MAX_VALUE;

    /**
     * Whether this process may call {@code bpf(2)} at all, without making anything: the errno the kernel gives a
     * command it does not know. {@code EINVAL} means the call reached the kernel's command switch (it exists and
     * nothing blocks it; since Linux 6.5 no capability is checked before that switch); {@code ENOSYS} means a
     * kernel built without {@code CONFIG_BPF_SYSCALL}; {@code EPERM} means a seccomp filter or a security module
     * refuses the call.
     */
    public static int probeErrno() {
        long r = Syscall.bpf(UNKNOWN_COMMAND, attr(), BpfAttr.SIZE);
        return r < 0 ? (int) -r : 0;
    }

    /** {@code BPF_MAP_CREATE}; returns the map's file descriptor. {@code btf} may be null (no BTF). */
    public static int mapCreate(int type, int keySize, int valueSize, int maxEntries, int flags, String name,
                                LoadedBtf btf) {
        MemorySegment a = attr();
        a.set(Layouts.INT, BpfAttr.MapCreate.MAP_TYPE, type);
        a.set(Layouts.INT, BpfAttr.MapCreate.KEY_SIZE, keySize);
        a.set(Layouts.INT, BpfAttr.MapCreate.VALUE_SIZE, valueSize);
        a.set(Layouts.INT, BpfAttr.MapCreate.MAX_ENTRIES, maxEntries);
        a.set(Layouts.INT, BpfAttr.MapCreate.MAP_FLAGS, flags);
        setName(a, BpfAttr.MapCreate.MAP_NAME, name);
        if (btf != null) {
            a.set(Layouts.INT, BpfAttr.MapCreate.BTF_FD, btf.fd());
            a.set(Layouts.INT, BpfAttr.MapCreate.BTF_KEY_TYPE_ID, btf.keyTypeId());
            a.set(Layouts.INT, BpfAttr.MapCreate.BTF_VALUE_TYPE_ID, btf.valueTypeId());
        }
        return (int) call(BpfCommand.MAP_CREATE, a, kernelName(name));
    }

    /**
     * A name the kernel accepts for a map or program: at most 15 of {@code A-Z a-z 0-9 _ .}; other characters
     * become {@code _}.
     */
    public static String kernelName(String name) {
        StringBuilder b = new StringBuilder(Math.min(name.length(), BpfAttr.MapCreate.NAME_LENGTH - 1));
        for (int i = 0; i < name.length() && b.length() < BpfAttr.MapCreate.NAME_LENGTH - 1; i++) {
            char c = name.charAt(i);
            boolean ok = c < 128 && (Character.isLetterOrDigit(c) || c == '_' || c == '.');
            b.append(ok ? c : '_');
        }
        return b.toString();
    }

    private static void setName(MemorySegment a, long offset, String name) {
        byte[] bytes = kernelName(name).getBytes(StandardCharsets.US_ASCII);
        MemorySegment.copy(bytes, 0, a, Layouts.BYTE, offset, bytes.length);
    }

    /** {@code BPF_MAP_LOOKUP_ELEM} of the u32 key {@code index} into {@code value}. Allocates nothing. */
    public static void lookupIndex(int mapFd, int index, MemorySegment value) {
        Scratch s = SCRATCH.get();
        s.key().set(Layouts.INT, 0, index);
        lookup(mapFd, s.key(), value);
    }

    /** {@code BPF_MAP_LOOKUP_ELEM}: copies the value of {@code key} into {@code value}. */
    public static void lookup(int mapFd, MemorySegment key, MemorySegment value) {
        call(BpfCommand.MAP_LOOKUP_ELEM, elemAttr(mapFd, key, value, 0), "");
    }

    /** {@code BPF_MAP_UPDATE_ELEM} of the u32 key {@code index}. Allocates nothing. */
    public static void updateIndex(int mapFd, int index, MemorySegment value, long flags) {
        Scratch s = SCRATCH.get();
        s.key().set(Layouts.INT, 0, index);
        update(mapFd, s.key(), value, flags);
    }

    /** {@code BPF_MAP_UPDATE_ELEM}: writes {@code value} as the value of {@code key}. */
    public static void update(int mapFd, MemorySegment key, MemorySegment value, long flags) {
        call(BpfCommand.MAP_UPDATE_ELEM, elemAttr(mapFd, key, value, flags), "");
    }

    /** {@code BPF_MAP_DELETE_ELEM} (arrays refuse it with EINVAL: their elements always exist). */
    public static void delete(int mapFd, MemorySegment key) {
        call(BpfCommand.MAP_DELETE_ELEM, elemAttr(mapFd, key, MemorySegment.NULL, 0), "");
    }

    /** The attribute of an element command; a {@link MemorySegment#NULL} value leaves its field zero. */
    private static MemorySegment elemAttr(int mapFd, MemorySegment key, MemorySegment value, long flags) {
        MemorySegment a = attr();
        a.set(Layouts.INT, BpfAttr.Elem.MAP_FD, mapFd);
        a.set(Layouts.LONG, BpfAttr.Elem.KEY, key.address());
        a.set(Layouts.LONG, BpfAttr.Elem.VALUE, value.address());
        a.set(Layouts.LONG, BpfAttr.Elem.FLAGS, flags);
        return a;
    }

    /** Runs an element command that may find no element: false on {@code ENOENT}, other failures thrown. */
    private static boolean callUnlessAbsent(BpfCommand cmd, MemorySegment attr) {
        long r = Syscall.bpf(cmd.code(), attr, BpfAttr.SIZE);
        if (r == -Errno.ENOENT) return false;
        if (r < 0) throw failure(cmd, (int) -r, "", "");
        return true;
    }

    /**
     * {@code BPF_MAP_LOOKUP_ELEM} with {@code flags} (0 or {@link #F_LOCK}) of a key that may be absent. Allocates
     * nothing.
     *
     * @return false when there is no element with this key
     */
    public static boolean lookupIfPresent(int mapFd, MemorySegment key, MemorySegment value, long flags) {
        return callUnlessAbsent(BpfCommand.MAP_LOOKUP_ELEM, elemAttr(mapFd, key, value, flags));
    }

    /**
     * {@code BPF_MAP_UPDATE_ELEM} that reports the refusals a hash map update expects instead of throwing them.
     *
     * @return 0, or {@code EEXIST} ({@link #NOEXIST} and the key exists), {@code ENOENT} ({@link #EXIST} and it does
     * not), {@code E2BIG} (the map is full)
     */
    public static int tryUpdate(int mapFd, MemorySegment key, MemorySegment value, long flags) {
        long r = Syscall.bpf(BpfCommand.MAP_UPDATE_ELEM.code(), elemAttr(mapFd, key, value, flags), BpfAttr.SIZE);
        int errno = (int) -r;
        if (r >= 0) return 0;
        if (errno == Errno.EEXIST || errno == Errno.ENOENT || errno == Errno.E2BIG) return errno;
        throw failure(BpfCommand.MAP_UPDATE_ELEM, errno, "", "");
    }

    /**
     * {@code BPF_MAP_DELETE_ELEM} of a key that may be absent.
     *
     * @return false when there was no element with this key
     */
    public static boolean deleteIfPresent(int mapFd, MemorySegment key) {
        return callUnlessAbsent(BpfCommand.MAP_DELETE_ELEM, elemAttr(mapFd, key, MemorySegment.NULL, 0));
    }

    /** What one {@code BPF_MAP_LOOKUP_BATCH} copied, and whether it reached the end of the map. */
    public record Batch(int count, boolean last) {}

    /**
     * {@code BPF_MAP_LOOKUP_BATCH}: copies up to {@code room} elements into {@code keys} and {@code values}, starting
     * at the position in {@code inBatch} ({@link MemorySegment#NULL} for the first call) and leaving the next position
     * in {@code outBatch} (at least 8 bytes; pass it as the next call's {@code inBatch}).
     *
     * @throws SyscallException ENOSPC when one bucket holds more elements than {@code room}: call again with more
     */
    public static Batch lookupBatch(int mapFd, MemorySegment inBatch, MemorySegment outBatch, MemorySegment keys,
                                    MemorySegment values, int room, long elemFlags) {
        MemorySegment a = attr();
        a.set(Layouts.LONG, BpfAttr.Batch.IN_BATCH, inBatch.address());
        a.set(Layouts.LONG, BpfAttr.Batch.OUT_BATCH, outBatch.address());
        a.set(Layouts.LONG, BpfAttr.Batch.KEYS, keys.address());
        a.set(Layouts.LONG, BpfAttr.Batch.VALUES, values.address());
        a.set(Layouts.INT, BpfAttr.Batch.COUNT, room);
        a.set(Layouts.INT, BpfAttr.Batch.MAP_FD, mapFd);
        a.set(Layouts.LONG, BpfAttr.Batch.ELEM_FLAGS, elemFlags);
        long r = Syscall.bpf(BpfCommand.MAP_LOOKUP_BATCH.code(), a, BpfAttr.SIZE);
        int count = a.get(Layouts.INT, BpfAttr.Batch.COUNT);
        if (r == -Errno.ENOENT) return new Batch(count, true);
        if (r < 0) throw failure(BpfCommand.MAP_LOOKUP_BATCH, (int) -r, "", "");
        return new Batch(count, false);
    }

    /**
     * {@code BPF_MAP_GET_NEXT_KEY}: writes the key after {@code key} (the first key when {@code key} is
     * {@link MemorySegment#NULL}) into {@code nextKey}; false after the last key.
     */
    public static boolean nextKey(int mapFd, MemorySegment key, MemorySegment nextKey) {
        MemorySegment a = elemAttr(mapFd, key, MemorySegment.NULL, 0);
        a.set(Layouts.LONG, BpfAttr.Elem.NEXT_KEY, nextKey.address());
        return callUnlessAbsent(BpfCommand.MAP_GET_NEXT_KEY, a);
    }

    /** {@code BPF_MAP_FREEZE}: no more writes through {@code bpf(2)} or writable mappings; programs still write. */
    public static void freeze(int mapFd) {
        MemorySegment a = attr();
        a.set(Layouts.INT, BpfAttr.Elem.MAP_FD, mapFd);
        call(BpfCommand.MAP_FREEZE, a, "");
    }

    /** {@code BPF_OBJ_PIN}: makes {@code path} (in a bpf file system) refer to the object. */
    public static void pin(int fd, Path path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = pathAttr(arena, path);
            a.set(Layouts.INT, BpfAttr.Obj.BPF_FD, fd);
            call(BpfCommand.OBJ_PIN, a, path.toString());
        }
    }

    /**
     * {@code BPF_OBJ_GET}: opens the object pinned at {@code path}; {@code flags} is 0 (read-write),
     * {@link #F_RDONLY} or {@link #F_WRONLY}. Returns the file descriptor.
     */
    public static int objGet(Path path, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = pathAttr(arena, path);
            a.set(Layouts.INT, BpfAttr.Obj.FILE_FLAGS, flags);
            return (int) call(BpfCommand.OBJ_GET, a, path.toString());
        }
    }

    /** This thread's attribute buffer with {@code pathname} pointing at {@code path}, a C string in {@code arena}. */
    private static MemorySegment pathAttr(Arena arena, Path path) {
        MemorySegment p = arena.allocateFrom(path.toString());
        MemorySegment a = attr();
        a.set(Layouts.LONG, BpfAttr.Obj.PATHNAME, p.address());
        return a;
    }

    /** {@code BPF_OBJ_GET_INFO_BY_FD} into {@code info}; returns how many bytes the kernel filled. */
    public static int objInfo(int fd, MemorySegment info) {
        MemorySegment a = attr();
        a.set(Layouts.INT, BpfAttr.Info.BPF_FD, fd);
        a.set(Layouts.INT, BpfAttr.Info.INFO_LEN, (int) info.byteSize());
        a.set(Layouts.LONG, BpfAttr.Info.INFO, info.address());
        call(BpfCommand.OBJ_GET_INFO_BY_FD, a, "");
        return a.get(Layouts.INT, BpfAttr.Info.INFO_LEN);
    }

    /** {@link #objInfo} of a map descriptor. */
    public static KernelMapInfo mapInfo(int mapFd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(KernelMapInfo.SIZE, 8);
            objInfo(mapFd, info);
            return KernelMapInfo.read(info);
        }
    }

    /**
     * What kind of BPF object {@code fd} refers to, from its anonymous inode's name: {@code map},
     * {@code prog}, {@code link}, {@code btf}, ..., or the link text itself for anything else.
     */
    public static String objectKind(int fd) {
        String target;
        try {
            target = Files.readSymbolicLink(Path.of("/proc/self/fd", Integer.toString(fd))).toString();
        } catch (IOException e) {
            return "unknown";
        }
        if (target.startsWith("anon_inode:bpf-")) return target.substring("anon_inode:bpf-".length());
        if (target.equals("anon_inode:btf")) return "btf";
        return target;
    }

    /**
     * {@code BPF_BTF_LOAD}; returns the BTF object's descriptor. When the kernel refuses the blob, the load is
     * repeated with logging so that the exception carries the kernel's reason.
     */
    public static int btfLoad(MemorySegment blob) {
        MemorySegment a = attr();
        a.set(Layouts.LONG, BpfAttr.BtfLoad.BTF, blob.address());
        a.set(Layouts.INT, BpfAttr.BtfLoad.BTF_SIZE, (int) blob.byteSize());
        long r = Syscall.bpf(BpfCommand.BTF_LOAD.code(), a, BpfAttr.SIZE);
        if (r >= 0) return (int) r;
        int errno = (int) -r;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment log = arena.allocate(LOG_SIZE);
            a = attr();
            a.set(Layouts.LONG, BpfAttr.BtfLoad.BTF, blob.address());
            a.set(Layouts.INT, BpfAttr.BtfLoad.BTF_SIZE, (int) blob.byteSize());
            a.set(Layouts.LONG, BpfAttr.BtfLoad.LOG_BUF, log.address());
            a.set(Layouts.INT, BpfAttr.BtfLoad.LOG_SIZE, LOG_SIZE);
            a.set(Layouts.INT, BpfAttr.BtfLoad.LOG_LEVEL, LOG_LEVEL_ERRORS);
            r = Syscall.bpf(BpfCommand.BTF_LOAD.code(), a, BpfAttr.SIZE);
            if (r >= 0) return (int) r;
            throw failure(BpfCommand.BTF_LOAD, errno, "", titled("BTF log", log.getString(0)));
        }
    }

    /** {@code BPF_BTF_GET_FD_BY_ID}: opens the BTF object with this id (needs CAP_SYS_ADMIN). */
    public static int btfFdById(int btfId) {
        MemorySegment a = attr();
        a.set(Layouts.INT, BpfAttr.GetFdById.ID, btfId);
        return (int) call(BpfCommand.BTF_GET_FD_BY_ID, a, "id " + btfId);
    }

    /** The raw BTF blob of a BTF object ({@link #objInfo} with {@code struct bpf_btf_info}). */
    public static byte[] btfData(int btfFd) {
        // struct bpf_btf_info: btf (pointer) @0, btf_size @8, id @12, name @16, name_len @24, kernel_btf @28
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(32, 8);
            int size = 4096;
            while (true) {
                MemorySegment buffer = arena.allocate(size, 8);
                info.fill((byte) 0);
                info.set(Layouts.LONG, 0, buffer.address());
                info.set(Layouts.INT, 8, size);
                objInfo(btfFd, info);
                int actual = info.get(Layouts.INT, 8);
                if (actual <= size) return buffer.asSlice(0, actual).toArray(Layouts.BYTE);
                size = actual;
            }
        }
    }

    /**
     * {@code BPF_PROG_LOAD} of {@code count} instructions; returns the program's descriptor. When the verifier
     * refuses the program, the load is repeated with logging so that the exception carries the verifier log.
     */
    public static int progLoad(int progType, MemorySegment insns, int count, String name, String license) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment lic = arena.allocateFrom(license);
            MemorySegment a = progLoadAttr(progType, insns, count, name, lic);
            long r = Syscall.bpf(BpfCommand.PROG_LOAD.code(), a, BpfAttr.SIZE);
            if (r >= 0) return (int) r;
            int errno = (int) -r;
            MemorySegment log = arena.allocate(LOG_SIZE);
            a = progLoadAttr(progType, insns, count, name, lic);
            a.set(Layouts.INT, BpfAttr.ProgLoad.LOG_LEVEL, LOG_LEVEL_ERRORS);
            a.set(Layouts.INT, BpfAttr.ProgLoad.LOG_SIZE, LOG_SIZE);
            a.set(Layouts.LONG, BpfAttr.ProgLoad.LOG_BUF, log.address());
            r = Syscall.bpf(BpfCommand.PROG_LOAD.code(), a, BpfAttr.SIZE);
            if (r >= 0) return (int) r;
            throw failure(BpfCommand.PROG_LOAD, errno, kernelName(name), titled("verifier log", log.getString(0)));
        }
    }

    /** The kernel's log under a title, or the empty string when it wrote nothing (as for EPERM). */
    private static String titled(String title, String log) {
        return log.isBlank() ? "" : title + ":\n" + log;
    }

    private static MemorySegment progLoadAttr(int progType, MemorySegment insns, int count, String name,
                                              MemorySegment license) {
        MemorySegment a = attr();
        a.set(Layouts.INT, BpfAttr.ProgLoad.PROG_TYPE, progType);
        a.set(Layouts.INT, BpfAttr.ProgLoad.INSN_CNT, count);
        a.set(Layouts.LONG, BpfAttr.ProgLoad.INSNS, insns.address());
        a.set(Layouts.LONG, BpfAttr.ProgLoad.LICENSE, license.address());
        setName(a, BpfAttr.ProgLoad.PROG_NAME, name);
        return a;
    }

    /** What one {@code BPF_PROG_TEST_RUN} reports: the program's return value and the mean time per run. */
    public record TestRunResult(int retval, int durationNanos) {}

    /** {@code BPF_PROG_TEST_RUN}: runs the program {@code repeat} times on {@code dataIn}. */
    public static TestRunResult testRun(int progFd, int repeat, MemorySegment dataIn) {
        MemorySegment a = attr();
        a.set(Layouts.INT, BpfAttr.TestRun.PROG_FD, progFd);
        a.set(Layouts.INT, BpfAttr.TestRun.DATA_SIZE_IN, (int) dataIn.byteSize());
        a.set(Layouts.LONG, BpfAttr.TestRun.DATA_IN, dataIn.address());
        a.set(Layouts.INT, BpfAttr.TestRun.REPEAT, repeat);
        call(BpfCommand.PROG_TEST_RUN, a, "");
        return new TestRunResult(a.get(Layouts.INT, BpfAttr.TestRun.RETVAL), a.get(Layouts.INT, BpfAttr.TestRun.DURATION));
    }

    /** {@code BPF_F_TEST_RUN_ON_CPU}: run the program on the CPU in the attribute's {@code cpu} field. */
    public static final int F_TEST_RUN_ON_CPU = 1;

    /**
     * {@code BPF_PROG_TEST_RUN} of a raw tracepoint program once, on CPU {@code cpu} ({@code BPF_F_TEST_RUN_ON_CPU};
     * only raw tracepoint programs take it, and they take no repeat count).
     *
     * @throws SyscallException ENXIO when the CPU is not online, EINVAL for another program type
     */
    public static int testRunOnCpu(int progFd, int cpu) {
        MemorySegment a = attr();
        a.set(Layouts.INT, BpfAttr.TestRun.PROG_FD, progFd);
        a.set(Layouts.INT, BpfAttr.TestRun.FLAGS, F_TEST_RUN_ON_CPU);
        a.set(Layouts.INT, BpfAttr.TestRun.CPU, cpu);
        call(BpfCommand.PROG_TEST_RUN, a, "on CPU " + cpu);
        return a.get(Layouts.INT, BpfAttr.TestRun.RETVAL);
    }
}
