/*
 * bpf.c: the kernel map behind a bpf map's sidecar (FORMAT.md §6, §8, §10.8), opened through libbpf when the library is
 * built with it: the pin the sidecar records, checked against the sidecar before anything uses it. Arrays are mapped
 * here (per-CPU arrays, which cannot be, in percpu.c); hash maps (bpf_hash.c) and rings (bpf_ring.c) check and set up
 * their own kind.
 */
#include "internal.h"

#ifdef MAPSYNC_WITH_LIBBPF
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <sys/mman.h>

int mapsync__open_pin(struct mapsync_map *m, const char *what, bool mapped, struct bpf_map_info *info) {
    const struct mapsync_header *h = m->header;
    memcpy(m->pin, h->bpf_pin, h->bpf_pin_length);
    m->pin[h->bpf_pin_length] = '\0';
    /* read-write even to read a map whose pages are mapped: the kernel maps them only through such a descriptor; a
       reader of a map reached by bpf(2) calls alone needs only read permission on the pin */
    LIBBPF_OPTS(bpf_obj_get_opts, opts, .file_flags = !mapped && m->read_only ? BPF_F_RDONLY : 0);
    int fd = bpf_obj_get_opts(m->pin, &opts);
    if (fd < 0) {
        int err = errno;
        if (err == ENOENT) return mapsync__fail(m, ENOENT, "no map %s: its sidecar exists, but nothing is pinned at %s", what, m->pin);
        return mapsync__fail(m, err, "bpf map %s: bpf_obj_get(%s): %s", what, m->pin, strerror(err));
    }
    m->bpf_fd = fd;
    __u32 len = sizeof *info;
    memset(info, 0, sizeof *info);
    if (bpf_obj_get_info_by_fd(fd, info, &len) != 0) {
        return mapsync__fail(m, errno, "bpf map %s: bpf_obj_get_info_by_fd: %s", what, strerror(errno));
    }
    return 0;
}

/* Maps the values of a bpf array: the kernel's mmapable array is laid out as an shm array's data region. */
static int open_kernel_array(struct mapsync_map *m, const char *what) {
    const struct mapsync_header *h = m->header;
    if (h->bpf_map_type == BPF_MAP_TYPE_PERCPU_ARRAY) return mapsync__open_kernel_per_cpu_array(m, what);
    struct bpf_map_info info;
    int rc = mapsync__open_pin(m, what, true, &info);
    if (rc != 0) return rc;
    if (info.type != BPF_MAP_TYPE_ARRAY || info.key_size != 4 || info.value_size != h->value_size
        || info.max_entries != h->entries) {
        return mapsync__fail(m, EMEDIUMTYPE, "bpf map %s: the kernel map pinned at %s (type %u, key %u, value %u, %u entries)"
                             " does not match its sidecar (array, key 4, value %u, %u entries)", what, m->pin, info.type,
                             info.key_size, info.value_size, info.max_entries, h->value_size, h->entries);
    }
    if (!(info.map_flags & BPF_F_MMAPABLE)) {
        return mapsync__fail(m, EMEDIUMTYPE, "bpf map %s: the kernel map pinned at %s has no BPF_F_MMAPABLE, so its values"
                             " cannot be mapped", what, m->pin);
    }
    m->data_length = mapsync__page_align((uint64_t)h->entries * h->stride);
    void *data = mmap(NULL, m->data_length, PROT_READ | (m->read_only ? 0 : PROT_WRITE), MAP_SHARED, m->bpf_fd, 0);
    if (data == MAP_FAILED) return mapsync__fail(m, errno, "bpf map %s: mmap of the kernel map: %s", what, strerror(errno));
    m->data = data;
    return 0;
}

int mapsync__open_kernel_map(struct mapsync_map *m, const char *what) {
    switch (m->map_type) {
    case MAPSYNC_TYPE_ARRAY: return open_kernel_array(m, what);
    case MAPSYNC_TYPE_HASH: return mapsync__open_kernel_hash(m, what);
    case MAPSYNC_TYPE_RING: return mapsync__open_kernel_ring(m, what);
    default: return mapsync__fail(m, EBADMSG, "map %s is corrupt: a barrier lives in shared memory only", what);
    }
}
#else
int mapsync__open_kernel_map(struct mapsync_map *m, const char *what) {
    return mapsync__fail(m, ENOTSUP, "map %s is a bpf map: build libmapsync with WITH_LIBBPF=1 to open it", what);
}
#endif
