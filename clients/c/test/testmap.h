/*
 * testmap.h: makes a small array map file the way the Java library's creator lays it out (FORMAT.md §2, §4), for the
 * library's unit tests and timing harness, which run without a JVM.
 */
#ifndef MAPSYNC_TESTMAP_H
#define MAPSYNC_TESTMAP_H

#include <mapsync.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static uint64_t testmap_page(uint64_t n) {
    return (n + 4095) / 4096 * 4096;
}

/* Makes `dir`/`name`: an array of `entries` values of `schema` (`value_size` bytes), one lock per entry. 0 or -1. */
static int testmap_create(const char *dir, const char *name, const char *schema, uint32_t value_size, uint32_t entries) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    uint32_t stride = (value_size + 7) & ~7u, changelog = 64;
    uint64_t control = testmap_page(MAPSYNC_STRIPES_OFFSET + (uint64_t)entries * 64 + changelog * 32 + MAPSYNC_SLOT_COUNT * 8);
    uint64_t data = testmap_page((uint64_t)entries * stride);
    uint64_t file = 4096 + control + data;
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd < 0 || ftruncate(fd, (off_t)file) != 0) return -1;
    struct mapsync_header *h = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (h == MAP_FAILED) return -1;
    memcpy(h->magic, "MAPSYNC", 8);
    h->version = MAPSYNC_VERSION;
    h->map_type = MAPSYNC_TYPE_ARRAY;
    h->key_size = 4;
    h->value_size = value_size;
    h->stride = stride;
    h->entries = entries;
    h->creator_pid = (uint32_t)getpid();
    h->control_offset = 4096;
    h->control_length = control;
    h->data_offset = 4096 + control;
    h->data_length = data;
    h->file_length = file;
    h->key_schema_length = 3;
    h->value_schema_length = (uint32_t)strlen(schema);
    h->lock_stripes = entries;
    h->changelog_capacity = changelog;
    memcpy(h->schema_text, "u32", 3);
    memcpy(h->schema_text + 3, schema, strlen(schema));
    __atomic_store_n(&h->ready, 1, __ATOMIC_RELEASE);
    munmap(h, 4096);
    return 0;
}

#endif
