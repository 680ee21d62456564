/*
 * bpfmap.h: makes the sidecar of a kernel map pinned in bpffs (FORMAT.md §6, §8, §10.8) the way the Java library lays
 * it out, for the library's bpf tests, which run without a JVM: a bpf array's or hash map's (no data region in the
 * file) or a kernel ring's.
 */
#ifndef MAPSYNC_BPFMAP_H
#define MAPSYNC_BPFMAP_H

#include <mapsync.h>

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static uint64_t bpfmap_page(uint64_t n) {
    return (n + 4095) / 4096 * 4096;
}

#define BPFMAP_CHANGELOG 64u
#define BPFMAP_RING_CONTROL_END 33792u /* the consumer record's line ends there (FORMAT.md §7.2) */

struct bpfmap {
    uint32_t map_type;          /* MAPSYNC_TYPE_ARRAY, MAPSYNC_TYPE_HASH or MAPSYNC_TYPE_RING */
    uint32_t kernel_type, kernel_flags, access;
    const char *pin;
    const char *key_schema, *value_schema; /* NULL: none */
    uint32_t key_size, value_size, entries, stripes;
};

/* Makes `dir`/`name`, the sidecar of `b`. 0 or -1. */
static int bpfmap_sidecar(const char *dir, const char *name, const struct bpfmap *b) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    bool hash = b->map_type == MAPSYNC_TYPE_HASH, array = b->map_type == MAPSYNC_TYPE_ARRAY, keyed = hash || array;
    uint64_t control = keyed ? bpfmap_page(MAPSYNC_STRIPES_OFFSET + (uint64_t)b->stripes * 64 + BPFMAP_CHANGELOG * 32
                                           + MAPSYNC_SLOT_COUNT * 8
                                           + (hash ? BPFMAP_CHANGELOG * ((b->key_size + 7) & ~7u) : 0))
                             : bpfmap_page(BPFMAP_RING_CONTROL_END);
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd < 0 || ftruncate(fd, (off_t)(4096 + control)) != 0) return -1;
    struct mapsync_header *h = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (h == MAP_FAILED) return -1;
    size_t klen = b->key_schema == NULL ? 0 : strlen(b->key_schema), vlen = b->value_schema == NULL ? 0 : strlen(b->value_schema);
    memcpy(h->magic, "MAPSYNC", 8);
    h->version = MAPSYNC_VERSION;
    h->map_type = b->map_type;
    h->backend = MAPSYNC_BACKEND_BPF;
    h->key_size = b->key_size;
    h->value_size = b->value_size;
    h->stride = keyed ? (b->value_size + 7) & ~7u : 0;
    h->entries = b->entries;
    h->creator_pid = (uint32_t)getpid();
    h->control_offset = 4096;
    h->control_length = control;
    h->data_length = hash ? 0 : array ? bpfmap_page((uint64_t)b->entries * h->stride) : b->entries;
    h->file_length = 4096 + control;
    h->key_schema_length = (uint32_t)klen;
    h->value_schema_length = (uint32_t)vlen;
    h->lock_stripes = keyed ? b->stripes : 0;
    h->changelog_capacity = keyed ? BPFMAP_CHANGELOG : 0;
    h->bpf_map_type = b->kernel_type;
    h->bpf_map_flags = b->kernel_flags;
    h->bpf_access = b->access;
    h->bpf_pin_length = (uint32_t)strlen(b->pin);
    memcpy(h->bpf_pin, b->pin, strlen(b->pin));
    if (klen > 0) memcpy(h->schema_text, b->key_schema, klen);
    if (vlen > 0) memcpy(h->schema_text + klen, b->value_schema, vlen);
    __atomic_store_n(&h->ready, 1, __ATOMIC_RELEASE);
    munmap(h, 4096);
    return 0;
}

#endif
