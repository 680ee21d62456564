package dev.mapsync.internal.store;

import dev.mapsync.Backend;
import dev.mapsync.CorruptMapException;
import dev.mapsync.MapType;
import dev.mapsync.Schema;
import dev.mapsync.internal.sys.Layouts;
import dev.mapsync.internal.sys.Arch;
import dev.mapsync.internal.sys.Proc;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;

/**
 * The header at the start of every map file (and of every bpf map's sidecar). All integers are little-endian.
 *
 * <pre>
 * offset size field
 *      0    8 magic: the bytes "MAPSYNC\0"
 *      8    4 layout version ({@value #VERSION})
 *     12    4 ready: 0 while the creator initialises, 1 when the map may be used; written last, with release
 *     16    4 map type (1 = array, 2 = hash, 3 = ring, 4 = barrier, 5 = counter; see each kind's layout)
 *     20    4 backend (0 = shm: data in this file; 1 = bpf: data in a kernel map, this file is its sidecar)
 *     24    4 key size in bytes (4 for arrays: the u32 index; the key schema's size for hash maps)
 *     28    4 value size in bytes
 *     32    4 value stride: value size rounded up to 8
 *     36    4 entries (hash maps: the capacity)
 *     40    4 creator pid (in the creator's pid namespace)
 *     44    4 flags: bit 0 ({@link #FLAG_REPLICA}) marks a read replica of a map on another host
 *     48    8 creator start time, clock ticks since boot (/proc/PID/stat field 22)
 *     56    8 creation time, nanoseconds since the epoch
 *     64    8 control region offset
 *     72    8 control region length
 *     80    8 data region offset (page-aligned; 0 when the data is in a kernel map)
 *     88    8 data region length (0 for a bpf hash map: the kernel keeps its table to itself)
 *     96    8 file length
 *    104    4 key schema length in bytes
 *    108    4 value schema length in bytes
 *    112    4 lock stripes (hash maps: segments)
 *    116    4 changelog capacity (entries)
 *    120    8 creator pid namespace inode
 *    128  128 backend-specific: zero for shm maps; for bpf maps (see {@link BpfArea}):
 *    128    4   kernel map id
 *    132    4   kernel map type (2 = BPF_MAP_TYPE_ARRAY, 6 = PERCPU_ARRAY, 1 = HASH, 9 = LRU_HASH, 5 = PERCPU_HASH,
 *                 10 = LRU_PERCPU_HASH)
 *    136    4   kernel map flags (1024 = BPF_F_MMAPABLE)
 *    140    4   access: 0 = mmap, 1 = syscall (the kernel map cannot be mapped), 2 = syscall with BPF_F_LOCK
 *    144    4   pin path length in bytes (1 to 108)
 *    148  108   pin path (UTF-8, zero-padded)
 *    256    . key schema text (UTF-8), then the value schema text right after it
 * </pre>
 * The header occupies the first {@value #SIZE} bytes; the schema texts must fit in it.
 */
public record Header(int version, int type, int backend, int keySize, int valueSize, int stride, int entries,
                     int creatorPid, long creatorStartTime, long createdAtNanos, long controlOffset,
                     long controlLength, long dataOffset, long dataLength, long fileLength, int lockStripes,
                     int changelogCapacity, long creatorPidNamespace, String keySchema, String valueSchema, int flags) {

    public static final long SIZE = 4096;
    /**
     * The layout this library writes and reads. 2: the open-file-description locks of process slots and of a ring's
     * consumer are taken on the map's liveness file ({@code <file>.live}), no longer on the map file; a map of
     * version 1 is refused, since its users would lock another file than ours.
     */
    public static final int VERSION = 2;
    /** The bytes {@code "MAPSYNC\0"} read as a little-endian long. */
    public static final long MAGIC = 0x0043_4E59_5350_414DL;

    public static final long MAGIC_OFFSET = 0, VERSION_OFFSET = 8, READY_OFFSET = 12, TYPE_OFFSET = 16,
            BACKEND_OFFSET = 20, KEY_SIZE_OFFSET = 24, VALUE_SIZE_OFFSET = 28, STRIDE_OFFSET = 32,
            ENTRIES_OFFSET = 36, CREATOR_PID_OFFSET = 40, FLAGS_OFFSET = 44, CREATOR_START_OFFSET = 48,
            CREATED_AT_OFFSET = 56, CONTROL_OFFSET_OFFSET = 64, CONTROL_LENGTH_OFFSET = 72,
            DATA_OFFSET_OFFSET = 80, DATA_LENGTH_OFFSET = 88, FILE_LENGTH_OFFSET = 96,
            KEY_SCHEMA_LENGTH_OFFSET = 104, VALUE_SCHEMA_LENGTH_OFFSET = 108, LOCK_STRIPES_OFFSET = 112,
            CHANGELOG_CAPACITY_OFFSET = 116, CREATOR_PIDNS_OFFSET = 120, BACKEND_AREA_OFFSET = 128,
            SCHEMA_TEXT_OFFSET = 256;

    public static final int READY = 1;
    /**
     * The flag of a read replica: a map that a follower keeps in step with its leader on another host. Only the
     * follower's handle writes it; every other handle refuses writes, naming the leader.
     */
    public static final int FLAG_REPLICA = 1;
    public static final int BACKEND_SHM = 0, BACKEND_BPF = 1;

    /** The most schema text (key and value together) a header holds. */
    public static final int MAX_SCHEMA_TEXT = (int) (SIZE - SCHEMA_TEXT_OFFSET);

    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    /** The first 8 bytes of a file. */
    public static long magic(MemorySegment h) {
        return h.get(Layouts.LONG, MAGIC_OFFSET);
    }

    public static int version(MemorySegment h) {
        return h.get(Layouts.INT, VERSION_OFFSET);
    }

    /** The ready word, read with acquire semantics so that every header field written before it is visible. */
    public static int readyAcquire(MemorySegment h) {
        return (int) INT.getAcquire(h, READY_OFFSET);
    }

    /** Publishes the map: every store before this one is visible to an opener that sees READY. */
    public static void publishReady(MemorySegment h) {
        INT.setRelease(h, READY_OFFSET, READY);
    }

    /** Reads every field but the ready word. */
    public static Header read(MemorySegment h) {
        int keyLength = h.get(Layouts.INT, KEY_SCHEMA_LENGTH_OFFSET);
        int valueLength = h.get(Layouts.INT, VALUE_SCHEMA_LENGTH_OFFSET);
        if (keyLength < 0 || valueLength < 0 || (long) keyLength + valueLength > MAX_SCHEMA_TEXT) {
            throw new IllegalStateException("schema text lengths " + keyLength + " and " + valueLength
                    + " run past the header");
        }
        return new Header(h.get(Layouts.INT, VERSION_OFFSET), h.get(Layouts.INT, TYPE_OFFSET),
                h.get(Layouts.INT, BACKEND_OFFSET), h.get(Layouts.INT, KEY_SIZE_OFFSET),
                h.get(Layouts.INT, VALUE_SIZE_OFFSET), h.get(Layouts.INT, STRIDE_OFFSET),
                h.get(Layouts.INT, ENTRIES_OFFSET), h.get(Layouts.INT, CREATOR_PID_OFFSET),
                h.get(Layouts.LONG, CREATOR_START_OFFSET), h.get(Layouts.LONG, CREATED_AT_OFFSET),
                h.get(Layouts.LONG, CONTROL_OFFSET_OFFSET), h.get(Layouts.LONG, CONTROL_LENGTH_OFFSET),
                h.get(Layouts.LONG, DATA_OFFSET_OFFSET), h.get(Layouts.LONG, DATA_LENGTH_OFFSET),
                h.get(Layouts.LONG, FILE_LENGTH_OFFSET), h.get(Layouts.INT, LOCK_STRIPES_OFFSET),
                h.get(Layouts.INT, CHANGELOG_CAPACITY_OFFSET), h.get(Layouts.LONG, CREATOR_PIDNS_OFFSET),
                text(h, SCHEMA_TEXT_OFFSET, keyLength), text(h, SCHEMA_TEXT_OFFSET + keyLength, valueLength),
                h.get(Layouts.INT, FLAGS_OFFSET));
    }

    /** {@return true for a read replica's header ({@link #FLAG_REPLICA})} */
    public boolean replica() {
        return (flags & FLAG_REPLICA) != 0;
    }

    /** Writes the magic and every field but the ready word, which {@link #publishReady} writes last. */
    public void write(MemorySegment h) {
        byte[] k = keySchema.getBytes(StandardCharsets.UTF_8);
        byte[] v = valueSchema.getBytes(StandardCharsets.UTF_8);
        if (k.length + v.length > MAX_SCHEMA_TEXT) {
            throw new IllegalArgumentException("the schema text is " + (k.length + v.length)
                    + " bytes; a map header holds at most " + MAX_SCHEMA_TEXT);
        }
        h.set(Layouts.LONG, MAGIC_OFFSET, MAGIC);
        h.set(Layouts.INT, VERSION_OFFSET, version);
        h.set(Layouts.INT, TYPE_OFFSET, type);
        h.set(Layouts.INT, BACKEND_OFFSET, backend);
        h.set(Layouts.INT, KEY_SIZE_OFFSET, keySize);
        h.set(Layouts.INT, VALUE_SIZE_OFFSET, valueSize);
        h.set(Layouts.INT, STRIDE_OFFSET, stride);
        h.set(Layouts.INT, ENTRIES_OFFSET, entries);
        h.set(Layouts.INT, CREATOR_PID_OFFSET, creatorPid);
        h.set(Layouts.INT, FLAGS_OFFSET, flags);
        h.set(Layouts.LONG, CREATOR_START_OFFSET, creatorStartTime);
        h.set(Layouts.LONG, CREATED_AT_OFFSET, createdAtNanos);
        h.set(Layouts.LONG, CONTROL_OFFSET_OFFSET, controlOffset);
        h.set(Layouts.LONG, CONTROL_LENGTH_OFFSET, controlLength);
        h.set(Layouts.LONG, DATA_OFFSET_OFFSET, dataOffset);
        h.set(Layouts.LONG, DATA_LENGTH_OFFSET, dataLength);
        h.set(Layouts.LONG, FILE_LENGTH_OFFSET, fileLength);
        h.set(Layouts.INT, LOCK_STRIPES_OFFSET, lockStripes);
        h.set(Layouts.INT, CHANGELOG_CAPACITY_OFFSET, changelogCapacity);
        h.set(Layouts.LONG, CREATOR_PIDNS_OFFSET, creatorPidNamespace);
        h.set(Layouts.INT, KEY_SCHEMA_LENGTH_OFFSET, k.length);
        h.set(Layouts.INT, VALUE_SCHEMA_LENGTH_OFFSET, v.length);
        MemorySegment.copy(k, 0, h, Layouts.BYTE, SCHEMA_TEXT_OFFSET, k.length);
        MemorySegment.copy(v, 0, h, Layouts.BYTE, SCHEMA_TEXT_OFFSET + k.length, v.length);
    }

    /**
     * The header of a new array or hash map made from {@code spec}; the data region is in the file for shm maps only,
     * as long as {@code data} says.
     *
     * @throws IllegalArgumentException if a key or value, the whole map or its schema text is larger than a map may
     *                                  have ({@link Limits}); checked here, before anything of the map is created
     */
    public static Header forNewMap(Blueprint spec, KeyedData data) {
        boolean inline = spec.backend() == Backend.SHM;
        MapType type = spec.type();
        Schema key = spec.keySchema();
        int valueSize = spec.valueSchema().size();
        Limits.require(spec.name(), Limits.sizeProblem("value", valueSize));
        Limits.require(spec.name(), Limits.sizeProblem("key", key.size()));
        Limits.require(spec.name(), Limits.schemaTextProblem(key.toString(), spec.valueSchema().toString()));
        long stride = stride(valueSize);
        ControlLayout control = control(type, spec.lockStripes(), spec.changelogCapacity(), key.size());
        long dataLength = data.length(inline, key.size(), valueSize, spec.entries(), control.stripes());
        long controlEnd = SIZE + control.length();
        // a bpf array's values are mapped too, though the kernel map holds them (a bpf hash map has no data region)
        Limits.require(spec.name(), Limits.lengthProblem(controlEnd + dataLength));
        java.time.Instant now = java.time.Instant.now();
        return new Header(VERSION, type.code(), inline ? BACKEND_SHM : BACKEND_BPF, key.size(), valueSize,
                (int) stride, spec.entries(), Proc.PID, Proc.START_TIME,
                now.getEpochSecond() * 1_000_000_000L + now.getNano(), SIZE, control.length(),
                inline ? controlEnd : 0, dataLength, inline ? controlEnd + dataLength : controlEnd,
                control.stripes(), control.changelogCapacity(), Proc.PID_NAMESPACE, key.toString(),
                spec.valueSchema().toString(), spec.replica() ? FLAG_REPLICA : 0);
    }

    /**
     * The length of the data region of an array or hash map, which each kind lays out its own way (in the file for
     * shm maps; a bpf array's is the kernel map's mapping, a bpf hash map has none).
     */
    @FunctionalInterface
    public interface KeyedData {
        long length(boolean inline, int keySize, int valueSize, int entries, int stripes);
    }

    /** A control region: hash maps keep each change's key beside the changelog, arrays name it by index. */
    private static ControlLayout control(MapType type, int stripes, int changelogCapacity, int keySize) {
        return new ControlLayout(stripes, changelogCapacity, type == MapType.HASH ? (int) stride(keySize) : 0);
    }

    /**
     * Checks that the fields agree with each other and with the file's size, so that nothing is read past the
     * end of the file. The map type's own rules ({@code geometries}) check its geometry and schema; the type, the
     * backend and the truncation checks are common.
     *
     * @throws CorruptMapException naming the first field that is wrong
     */
    public void checkConsistent(String name, long fileSize, Geometries geometries) {
        String where = "map '" + name + "' is corrupt: ";
        MapType mapType = MapType.ofCode(type);
        if (mapType == null) throw new CorruptMapException(where + "unknown map type " + type);
        if (backend != BACKEND_SHM && backend != BACKEND_BPF) throw new CorruptMapException(where + "unknown backend " + backend);
        // a flag no writer sets must not change what a handle may do (bit 0 refuses writes): refuse the map
        if ((flags & ~FLAG_REPLICA) != 0) {
            throw new CorruptMapException(where + "header flags 0x" + Integer.toHexString(flags) + " have bits no writer"
                    + " sets (bit 0, a read replica, is the only flag)");
        }
        if (replica() && mapType != MapType.ARRAY && mapType != MapType.HASH) {
            throw new CorruptMapException(where + "its header marks a " + mapType.name().toLowerCase(java.util.Locale.ROOT)
                    + " map as a read replica, which only arrays and hash maps are");
        }
        Geometry geometry = geometries.of(mapType);
        if (geometry != null) geometry.checkGeometry(this, where);
        if (fileSize < fileLength) {
            throw new CorruptMapException("map '" + name + "' is truncated: the file has " + fileSize
                    + " bytes, its header needs " + fileLength);
        }
        if (geometry != null) geometry.checkSchema(this, where);
    }

    /**
     * The geometry of an array or hash map: keys, values, stripes, the changelog and the regions that follow from
     * them, the data region as long as {@code data} says.
     */
    public void checkKeyedGeometry(String where, MapType mapType, KeyedData data) {
        // sizes first, in the bounds a new map has, so that nothing computed from them below wraps around
        String tooLarge = Limits.sizeProblem("value", valueSize);
        if (tooLarge == null && mapType == MapType.HASH) tooLarge = Limits.sizeProblem("key", keySize);
        if (tooLarge != null) throw new CorruptMapException(where + tooLarge);
        if (stride != stride(valueSize)) throw new CorruptMapException(where + "value stride " + stride + " for value size " + valueSize);
        if (entries < 1) throw new CorruptMapException(where + "entries " + entries);
        if (lockStripes < 1 || lockStripes > entries) throw new CorruptMapException(where + "lock stripes " + lockStripes);
        if (changelogCapacity < 16 || Integer.bitCount(changelogCapacity) != 1) {
            throw new CorruptMapException(where + "changelog capacity " + changelogCapacity);
        }
        // the key comes first: the regions below depend on it
        if (mapType == MapType.ARRAY && keySize != 4) throw new CorruptMapException(where + "key size " + keySize + " is not 4");
        // an array's key schema is its index's, u32 (or none, in a sidecar another program's pin was adopted with)
        if (mapType == MapType.HASH || !keySchema.isEmpty()) checkSchema(where, "key", keySchema, keySize);
        if (controlOffset != SIZE || controlLength != control().length()) {
            throw new CorruptMapException(where + "control region at " + controlOffset + " of " + controlLength + " bytes");
        }
        boolean inline = backend == BACKEND_SHM;
        long expectedData;
        try {
            expectedData = data.length(inline, keySize, valueSize, entries, lockStripes);
        } catch (IllegalArgumentException e) {
            throw new CorruptMapException(where + e.getMessage());
        }
        long controlEnd = controlOffset + controlLength;
        if (dataLength != expectedData || dataOffset != (inline ? controlEnd : 0)) {
            throw new CorruptMapException(where + "data region at " + dataOffset + " of " + dataLength + " bytes");
        }
        long expectedFile = inline ? controlEnd + dataLength : controlEnd;
        if (fileLength != expectedFile) throw new CorruptMapException(where + "file length field " + fileLength + ", expected " + expectedFile);
        String tooLong = Limits.lengthProblem(controlEnd + dataLength);
        if (tooLong != null) throw new CorruptMapException(where + tooLong);
    }

    /** Checks that the value schema text parses and describes values of the header's value size. */
    public static void checkSchemaSize(Header h, String where) {
        checkSchema(where, "value", h.valueSchema, h.valueSize);
    }

    private static void checkSchema(String where, String what, String text, int size) {
        Schema schema;
        try {
            schema = Schema.parse(text);
        } catch (IllegalArgumentException e) {
            throw new CorruptMapException(where + what + " schema: " + e.getMessage());
        }
        if (schema.size() != size) {
            throw new CorruptMapException(where + what + " schema " + text + " is " + schema.size()
                    + " bytes, the " + what + " size field says " + size);
        }
    }

    /** The layout of the control region this header describes. */
    /** Where the map's values live, as the public enum names it. */
    public Backend storage() {
        return backend == BACKEND_BPF ? Backend.BPF : Backend.SHM;
    }

    public ControlLayout control() {
        MapType t = MapType.ofCode(type);
        return t == null ? new ControlLayout(lockStripes, changelogCapacity) : control(t, lockStripes, changelogCapacity, keySize);
    }

    private static String text(MemorySegment h, long offset, int length) {
        byte[] bytes = new byte[length];
        MemorySegment.copy(h, Layouts.BYTE, offset, bytes, 0, length);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** The value stride of the kernel's mmapable array: the value size rounded up to 8. */
    public static long stride(long valueSize) {
        return (valueSize + 7) & ~7L;
    }
}
