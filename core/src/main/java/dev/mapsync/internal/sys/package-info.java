/**
 * Linux and {@code bpf(2)} bindings through the Foreign Function and Memory API, every one a system call made through
 * one downcall ({@code syscall(2)} with six arguments: the JVM links a stub per shape, milliseconds each): files, memory
 * mappings and page backing, futexes ({@code FUTEX_WAIT}, {@code futex_waitv}), epoll, membarrier, errno names,
 * {@code union bpf_attr} offsets and the {@code bpf(2)} commands, {@code /proc} facts, the architecture's numbers,
 * and the little-endian word handles and layouts that every shared word is read through
 * ({@link dev.mapsync.internal.sys.Words}, {@link dev.mapsync.internal.sys.Layouts}). A failed call is a
 * {@link dev.mapsync.internal.sys.SyscallException} naming the call and its errno. It knows nothing of maps: it
 * depends on no other mapsync package but the public one, for its exception types.
 */
package dev.mapsync.internal.sys;
