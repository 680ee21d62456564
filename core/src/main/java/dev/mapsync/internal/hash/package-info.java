/**
 * Hash maps: the table of an shm hash map, segments of linear-probing slots each guarded by one lock and one sequence
 * word ({@link dev.mapsync.internal.hash.HashLayout}, {@link dev.mapsync.internal.hash.ShmHashTable}), its write
 * windows and their journal, which readers read through and a new lock owner rolls back
 * ({@link dev.mapsync.internal.hash.Windows}), the key hash, and the bpf backend, a kernel {@code BPF_MAP_TYPE_HASH}
 * reached through {@code bpf(2)} ({@link dev.mapsync.internal.hash.KernelHashTable}). Protocol: docs/FORMAT.md §10
 * Hash maps. It may use {@code notify} and everything below it, but not {@code ring} or {@code barrier}.
 */
package dev.mapsync.internal.hash;
