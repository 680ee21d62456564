/**
 * Building BPF programs without a compiler: instructions and registers, a
 * {@link dev.mapsync.internal.asm.ProgramBuilder} with labels for forward jumps, loaded programs run with
 * {@code BPF_PROG_TEST_RUN}, and {@link dev.mapsync.internal.asm.RingEmitter}, the program that writes records into
 * a kernel ring buffer the way a tracing program would. The library itself runs no program; the command line's demo
 * and chaos soak and the tests do. It may use {@code sys} and {@code btf}.
 */
package dev.mapsync.internal.asm;
