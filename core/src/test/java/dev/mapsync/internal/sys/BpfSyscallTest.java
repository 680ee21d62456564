package dev.mapsync.internal.sys;

import dev.mapsync.internal.store.Bpffs;
import dev.mapsync.internal.store.KernelMap;
import dev.mapsync.internal.sys.KernelMapInfo;
import dev.mapsync.Schema;
import dev.mapsync.testkit.Machine;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bpf(2) bindings against the running kernel: maps, pins, the mmap layout, errors with their hints. */
class BpfSyscallTest {
    @RegisterExtension
    final KernelAssumptions.Pins pins = new KernelAssumptions.Pins();

    @BeforeEach
    void needsBpf() {
        Machine.requireBpf();
    }

    @Test
    void bpffsIsMountedAndTheMapsyncFolderIsSticky() throws Exception {
        Path dir = Bpffs.mapsyncDir();
        assertTrue(Bpffs.isBpffs(Bpffs.ROOT));
        assertTrue(Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS));
        assertEquals(01777, dev.mapsync.internal.sys.LibC.lstat(dir.toString()).permissions());
        assertFalse(Bpffs.isBpffs(Path.of("/tmp")));
    }

    @Test
    void createdArrayIsMmapableWithTheKernelLayout() {
        // value_size 12: elements 16 bytes apart, padding zero (kernel-facts §1.2)
        Schema value = Schema.parse("a:i32,b:i32,c:i32");
        try (KernelMap map = KernelMap.createArray("layout", value, 5); Arena arena = Arena.ofConfined()) {
            KernelMapInfo info = map.info();
            assertEquals(KernelMapInfo.TYPE_ARRAY, info.type());
            assertEquals(4, info.keySize());
            assertEquals(12, info.valueSize());
            assertEquals(5, info.maxEntries());
            assertTrue(info.mmapable());
            assertTrue(info.hasBtf());
            assertEquals("layout", info.name());
            assertEquals(4096, map.dataLength());

            MemorySegment data = map.map(false);
            data.set(Layouts.INT, 3 * 16 + 4, 0x1234);            // element 3, field b, through the mapping
            MemorySegment out = arena.allocate(16, 8);
            map.load(3, out);                                      // BPF_MAP_LOOKUP_ELEM
            assertEquals(0x1234, out.get(Layouts.INT, 4));

            MemorySegment in = arena.allocate(16, 8);
            in.set(Layouts.INT, 0, 7);
            in.set(Layouts.INT, 8, 9);
            map.store(4, in);                                      // BPF_MAP_UPDATE_ELEM
            assertEquals(7, data.get(Layouts.INT, 4 * 16));
            assertEquals(9, data.get(Layouts.INT, 4 * 16 + 8));
            assertEquals(0, data.get(Layouts.INT, 4 * 16 + 12), "padding stays zero");
        }
    }

    @Test
    void nextKeyWalksTheArrayAndDeleteIsRefusedWithItsHint() {
        try (KernelMap map = KernelMap.createArray("keys", Schema.scalar(Schema.Kind.U64), 3); Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocate(4, 4), next = arena.allocate(4, 4);
            assertTrue(Bpf.nextKey(map.fd(), MemorySegment.NULL, next));
            assertEquals(0, next.get(Layouts.INT, 0));
            int seen = 1;
            MemorySegment.copy(next, 0, key, 0, 4);
            while (Bpf.nextKey(map.fd(), key, next)) {
                MemorySegment.copy(next, 0, key, 0, 4);
                seen++;
            }
            assertEquals(3, seen);
            SyscallException e = assertThrows(SyscallException.class, () -> Bpf.delete(map.fd(), key));
            assertEquals("bpf(BPF_MAP_DELETE_ELEM): EINVAL (array elements cannot be deleted)", e.getMessage());
        }
    }

    @Test
    void pinOpenChmodAndTheirErrors() throws Exception {
        Path pin = pins.track(Bpffs.mapsyncDir().resolve(KernelAssumptions.uniqueName("pin")));
        try (KernelMap map = KernelMap.createArray("pinned", Schema.scalar(Schema.Kind.I64), 4)) {
            map.pin(pin);
            Bpffs.chmod(pin, 0640);
            assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(pin)));

            SyscallException exists = assertThrows(SyscallException.class, () -> map.pin(pin));
            assertEquals(Errno.EEXIST, exists.errno());
            assertEquals("bpf(BPF_OBJ_PIN, " + pin + "): EEXIST (a file or pin exists at this path)", exists.getMessage());

            try (KernelMap again = KernelMap.openPin("pinned", pin, false)) {
                assertEquals(map.info().id(), again.info().id());
                assertTrue(again.writable());
            }
            SyscallException dot = assertThrows(SyscallException.class, () -> map.pin(pin.resolveSibling("a.b")));
            assertEquals(Errno.EPERM, dot.errno());
            assertTrue(dot.getMessage().contains("no name in their path may contain '.'"), dot.getMessage());

            SyscallException outside = assertThrows(SyscallException.class, () -> map.pin(Path.of("/tmp", "mapsync-not-bpffs")));
            assertEquals("EPERM", outside.errnoName());
        }
        SyscallException missing = assertThrows(SyscallException.class,
                () -> KernelMap.openPin("gone", pin.resolveSibling("nothing_here"), false));
        assertTrue(missing.getMessage().endsWith("ENOENT (no pin at this path)"), missing.getMessage());
    }

    @Test
    void freezeStopsSyscallWritesAndReportsItsErrno() {
        try (KernelMap map = KernelMap.createArray("frozen", Schema.scalar(Schema.Kind.I64), 1); Arena arena = Arena.ofConfined()) {
            Bpf.freeze(map.fd());
            SyscallException e = assertThrows(SyscallException.class, () -> map.store(0, arena.allocate(8, 8)));
            assertEquals("bpf(BPF_MAP_UPDATE_ELEM): EPERM (the map is frozen, or this descriptor is read-only)", e.getMessage());
            SyscallException mapped = assertThrows(SyscallException.class, () -> map.map(false));
            assertEquals("EPERM", mapped.errnoName());
            assertEquals(4096, map.map(true).byteSize(), "a frozen map still maps read-only");
        }
    }

    @Test
    void createFailuresNameTheCommandAndErrno() {
        // BPF_F_MMAPABLE on a hash map is refused at create time (kernel-facts §1.1)
        SyscallException e = assertThrows(SyscallException.class,
                () -> Bpf.mapCreate(1, 4, 8, 4, KernelMapInfo.F_MMAPABLE, "bad-name", null));
        assertEquals("bpf(BPF_MAP_CREATE, bad_name): EINVAL (the kernel refuses this map type, size, name or flag combination)",
                e.getMessage());
        assertEquals("needs CAP_BPF or root", Bpf.hint(BpfCommand.MAP_CREATE, Errno.EPERM));
        assertEquals("the kernel does not support it for this map", Bpf.hint(BpfCommand.MAP_FREEZE, Errno.ENOTSUPP));
        assertEquals("0123456789abcde", Bpf.kernelName("0123456789abcdefgh"));
    }
}
