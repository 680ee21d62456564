package dev.mapsync.internal.sys;

/**
 * A BTF object loaded into the kernel ({@code BPF_BTF_LOAD}), with the ids of a map's key and value types in it: what
 * {@link Bpf#mapCreate} gives the kernel to describe a new map's key and value.
 */
public record LoadedBtf(int fd, int keyTypeId, int valueTypeId) implements AutoCloseable {
    /** Closes this descriptor; maps created with it keep their own reference. */
    @Override
    public void close() {
        LibC.close(fd);
    }
}
