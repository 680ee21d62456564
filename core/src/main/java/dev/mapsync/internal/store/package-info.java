/**
 * Where a map's bytes live: the header ({@link dev.mapsync.internal.store.Header}) and the control region's layout
 * ({@link dev.mapsync.internal.store.ControlLayout}), an opened map's regions
 * ({@link dev.mapsync.internal.store.MapRegion}), map files in shared memory with their liveness files, the folders
 * they may be trusted in, bpffs pins, kernel maps and their sidecars, and the one opener that creates or opens a map
 * of any kind ({@link dev.mapsync.internal.store.Opener}): it checks the map's type and header against the
 * {@link dev.mapsync.internal.store.Blueprint} and closes what it opened when that fails, and each kind of map says
 * through its {@link dev.mapsync.internal.store.MapKind} (arrays: {@link dev.mapsync.internal.store.ArrayKind}) how its
 * header is made and checked and how its storage is made and opened.
 * It also turns a failed system call on a map into the public exception that fits. Format: docs/FORMAT.md §1 Files
 * and regions, §2 Header, §4 Control region (the table), §5 Opening a map from C and §6 bpf maps: the kernel map and
 * the sidecar. It may use {@code sys}, {@code btf}, {@code codec} and {@code hooks}, and the public package's
 * exception and value types; no protocol.
 */
package dev.mapsync.internal.store;
