package dev.mapsync;

/**
 * Where a map's values live ({@link MapSpec#backend(Backend)}). Both backends offer the same API and the same data
 * layout. Constants, immutable as every enum's.
 */
public enum Backend {
    /**
     * A file in the {@link MapSpec#defaultDir() default folder} ({@code /dev/shm/mapsync/} for root,
     * {@code /dev/shm/mapsync-<uid>/} for other users) or any folder, that every process maps. Needs no privileges
     * and works in any container. The default.
     */
    SHM,
    /**
     * A kernel eBPF array map created with {@code BPF_F_MMAPABLE}, pinned under {@code /sys/fs/bpf/mapsync/}, so
     * that {@code bpftool}, C programs and BPF programs share the very same memory. A hash map on this backend is a
     * kernel {@code BPF_MAP_TYPE_HASH}, which cannot be mapped: its every operation is a {@code bpf(2)} call.
     * Creating one needs CAP_BPF; opening a pin needs only its file permission.
     */
    BPF
}
