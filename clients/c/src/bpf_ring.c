/*
 * bpf_ring.c: kernel rings (FORMAT.md §8). A BPF_MAP_TYPE_RINGBUF is filled by BPF programs and consumed here from
 * its pages; a BPF_MAP_TYPE_USER_RINGBUF is filled here (claims under the sidecar's reserve lock, ring.c) and drained
 * by a BPF program. Their pages are mapped as one piece, m->data: the consumer page, the producer page, then the
 * records, which the kernel maps twice in a row itself; the one writable part is the side this process owns.
 */
#include "internal.h"

#ifdef MAPSYNC_WITH_LIBBPF
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <sys/mman.h>

#ifndef BPF_MAP_TYPE_USER_RINGBUF
#define BPF_MAP_TYPE_USER_RINGBUF 31
#endif

int mapsync__open_kernel_ring(struct mapsync_map *m, const char *what) {
    const struct mapsync_header *h = m->header;
    struct bpf_map_info info;
    int rc = mapsync__open_pin(m, what, true, &info);
    if (rc != 0) return rc;
    bool user = info.type == BPF_MAP_TYPE_USER_RINGBUF;
    if ((info.type != BPF_MAP_TYPE_RINGBUF && !user) || info.type != h->bpf_map_type || info.max_entries != h->entries
        || info.key_size != 0 || info.value_size != 0) {
        return mapsync__fail(m, EMEDIUMTYPE, "ring %s: the kernel map pinned at %s (type %u, %u entries) does not match its"
                             " sidecar (type %u, a ring of %u bytes); the pin was replaced: delete the sidecar to adopt"
                             " the new map", what, m->pin, info.type, info.max_entries, h->bpf_map_type, h->entries);
    }
    size_t page = (size_t)sysconf(_SC_PAGESIZE), capacity = h->entries;
    size_t length = 2 * page + 2 * capacity;
    uint8_t *area = mmap(NULL, length, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (area == MAP_FAILED) return mapsync__fail(m, errno, "ring %s: mmap: %s", what, strerror(errno));
    m->data = area;
    m->data_length = length;
    /* the kernel refuses a writable mapping of any page but the side user space owns: the consumer page of a
       ringbuf, the producer page and records of a user ring (and a reader writes neither) */
    int writable = m->read_only ? 0 : PROT_WRITE;
    int consumer_prot = PROT_READ | (user ? 0 : writable), producer_prot = PROT_READ | (user ? writable : 0);
    if (mmap(area, page, consumer_prot, MAP_SHARED | MAP_FIXED, m->bpf_fd, 0) == MAP_FAILED
        || mmap(area + page, page + 2 * capacity, producer_prot, MAP_SHARED | MAP_FIXED, m->bpf_fd, (off_t)page) == MAP_FAILED) {
        return mapsync__fail(m, errno, "ring %s: mmap of the kernel ring's pages: %s", what, strerror(errno));
    }
    return 0;
}
#endif
