/**
 * Rings: many producers, one consumer, records in the format of the kernel's BPF ring buffer. The layout
 * ({@link dev.mapsync.internal.ring.RingLayout}), the producer side of an shm ring
 * ({@link dev.mapsync.internal.ring.RingProducer}), the one consumer, which reads an shm ring and a kernel
 * {@code BPF_MAP_TYPE_RINGBUF} with the same code ({@link dev.mapsync.internal.ring.RingReader}), the consumer lock,
 * and creating and opening rings on both backends. Protocol: docs/FORMAT.md §7 Rings (map type 3) and §8 Kernel rings
 * (bpf backend). It may use {@code notify} and everything below it, but not {@code hash} or {@code barrier}.
 */
package dev.mapsync.internal.ring;
