package dev.mapsync.internal.sys;

import dev.mapsync.internal.sys.Layouts;

import dev.mapsync.IncompatibleMapException;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What {@code BPF_OBJ_GET_INFO_BY_FD} says of a map: the fields of {@code struct bpf_map_info} mapsync reads.
 * <pre>
 * offset size field
 *      0    4 type (BPF_MAP_TYPE_*)
 *      4    4 id
 *      8    4 key_size
 *     12    4 value_size
 *     16    4 max_entries
 *     20    4 map_flags
 *     24   16 name
 *     40    4 ifindex
 *     44    4 btf_vmlinux_value_type_id
 *     48    8 netns_dev
 *     56    8 netns_ino
 *     64    4 btf_id (0: the map has no BTF)
 *     68    4 btf_key_type_id
 *     72    4 btf_value_type_id
 *     80    8 map_extra
 * </pre>
 * The struct is {@value #SIZE} bytes on 6.x kernels; older kernels fill a prefix of it.
 */
public record KernelMapInfo(int type, int id, int keySize, int valueSize, int maxEntries, int flags, String name,
                            int btfId, int btfKeyTypeId, int btfValueTypeId) {
    public static final int SIZE = 88;

    public static final int TYPE_HASH = 1, TYPE_ARRAY = 2, TYPE_LRU_HASH = 9;
    /** The per-CPU maps: one value per possible CPU for each key ({@link Cpus#possible()}). */
    public static final int TYPE_PERCPU_HASH = 5, TYPE_PERCPU_ARRAY = 6, TYPE_LRU_PERCPU_HASH = 10;
    /** {@code BPF_MAP_TYPE_RINGBUF}: a ring buffer BPF programs produce into and user space consumes from. */
    public static final int TYPE_RINGBUF = 27;
    /** {@code BPF_MAP_TYPE_USER_RINGBUF}: a ring buffer user space produces into and BPF programs drain. */
    public static final int TYPE_USER_RINGBUF = 31;
    /** {@code BPF_F_MMAPABLE}: the array's values can be mapped into user space. */
    public static final int F_MMAPABLE = 1 << 10;
    /** {@code BPF_F_RDONLY_PROG}: BPF programs may only read the map. */
    public static final int F_RDONLY_PROG = 1 << 7;

    // enum bpf_map_type in order, from 0 (6.18)
    private static final List<String> TYPE_NAMES = List.of("unspec", "hash", "array", "prog_array",
            "perf_event_array", "percpu_hash", "percpu_array", "stack_trace", "cgroup_array", "lru_hash",
            "lru_percpu_hash", "lpm_trie", "array_of_maps", "hash_of_maps", "devmap", "sockmap", "cpumap", "xskmap",
            "sockhash", "cgroup_storage", "reuseport_sockarray", "percpu_cgroup_storage", "queue", "stack",
            "sk_storage", "devmap_hash", "struct_ops", "ringbuf", "inode_storage", "task_storage", "bloom_filter",
            "user_ringbuf", "cgrp_storage", "arena");

    public static KernelMapInfo read(MemorySegment info) {
        byte[] name = new byte[16];
        MemorySegment.copy(info, Layouts.BYTE, 24, name, 0, name.length);
        int end = 0;
        while (end < name.length && name[end] != 0) end++;
        return new KernelMapInfo(info.get(Layouts.INT, 0), info.get(Layouts.INT, 4), info.get(Layouts.INT, 8),
                info.get(Layouts.INT, 12), info.get(Layouts.INT, 16), info.get(Layouts.INT, 20),
                new String(name, 0, end, StandardCharsets.US_ASCII), info.get(Layouts.INT, 64),
                info.get(Layouts.INT, 68), info.get(Layouts.INT, 72));
    }

    public boolean isArray() {
        return type == TYPE_ARRAY;
    }

    public boolean isUserRingBuf() {
        return type == TYPE_USER_RINGBUF;
    }

    public boolean isRingBuf() {
        return type == TYPE_RINGBUF;
    }

    /** True for {@code BPF_MAP_TYPE_HASH} and {@code BPF_MAP_TYPE_LRU_HASH}, and their per-CPU variants. */
    public boolean isHash() {
        return type == TYPE_HASH || type == TYPE_LRU_HASH || type == TYPE_PERCPU_HASH || type == TYPE_LRU_PERCPU_HASH;
    }

    /** True for {@code BPF_MAP_TYPE_PERCPU_ARRAY}. */
    public boolean isPerCpuArray() {
        return type == TYPE_PERCPU_ARRAY;
    }

    /** True for the map types that hold one value per possible CPU for each key. */
    public boolean isPerCpu() {
        return isPerCpu(type);
    }

    public static boolean isPerCpu(int type) {
        return type == TYPE_PERCPU_ARRAY || type == TYPE_PERCPU_HASH || type == TYPE_LRU_PERCPU_HASH;
    }

    /** True when user space can map the values: an array created with {@code BPF_F_MMAPABLE}. */
    public boolean mmapable() {
        return isArray() && (flags & F_MMAPABLE) != 0;
    }

    public boolean hasBtf() {
        return btfId != 0;
    }

    /** The type's name as bpftool prints it, such as {@code array} or {@code hash}. */
    public String typeName() {
        return typeName(type);
    }

    public static String typeName(int type) {
        return type >= 0 && type < TYPE_NAMES.size() ? TYPE_NAMES.get(type) : "type " + type;
    }

    /**
     * Checks this kernel map against what the sidecar it was opened through records: a replaced pin shows up here.
     *
     * @throws IncompatibleMapException naming the first field that differs
     */
    public void checkSidecar(String name, Path sidecar, int type, int keySize, int valueSize, int entries) {
        String field;
        Object kernel, recorded;
        if (this.type != type) {
            field = "kernel map type";
            kernel = typeName();
            recorded = typeName(type);
        } else if (this.keySize != keySize) {
            field = "key size";
            kernel = this.keySize;
            recorded = keySize;
        } else if (this.valueSize != valueSize) {
            field = "value size";
            kernel = this.valueSize;
            recorded = valueSize;
        } else if (this.maxEntries != entries) {
            field = "entries";
            kernel = this.maxEntries;
            recorded = entries;
        } else {
            return;
        }
        throw new IncompatibleMapException("map '" + name + "': the kernel map pinned for it does not match its sidecar "
                + sidecar + ": " + field + ": kernel map has " + kernel + ", sidecar has " + recorded
                + " (the pin was replaced; delete the sidecar to adopt the new map)", field);
    }
}
