/**
 * The BPF Type Format: writing the BTF that describes a map's key and value
 * ({@link dev.mapsync.internal.btf.BtfWriter}), so that {@code bpftool} and BPF programs see field names and types,
 * and reading a kernel map's BTF back into a {@link dev.mapsync.Schema}
 * ({@link dev.mapsync.internal.btf.BtfReader}), so that a map another program made opens with its own fields. It may
 * use {@code sys} (to load a blob into the kernel) and the public package's value types.
 */
package dev.mapsync.internal.btf;
