/*
 * atomic.c: fetch-and-add and compare-and-set on an integer value or field of an array, as exported functions, for
 * callers that cannot use the header's inline atomics (other languages through a foreign-function interface). The
 * instructions are those of the inline ones, and so those of Java's LongSlots/IntSlots; a change is recorded as
 * Java records one (FORMAT.md §4.3).
 */
#include "internal.h"

/* The aligned 4- or 8-byte integer at `offset` in value `index`, or NULL with m->error set (*rc the errno). */
static uint8_t *integer_at(struct mapsync_map *m, uint32_t index, uint32_t offset, uint32_t size, int *rc) {
    if (m->map_type == MAPSYNC_TYPE_ARRAY && m->cpus > 0) {
        *rc = mapsync__per_cpu_refused(m, MAPSYNC_PER_CPU_NO_SLOTS);
    } else if (m->map_type != MAPSYNC_TYPE_ARRAY || m->data == NULL) {
        *rc = mapsync__fail(m, EMEDIUMTYPE, "map %s is not an array", m->name);
    } else if (m->read_only) {
        *rc = mapsync__fail(m, EBADF, "map %s is open read-only; it cannot be written", m->name);
    } else if (index >= m->entries) {
        *rc = mapsync__fail(m, ERANGE, "index %u out of range for map %s (0..%u)", index, m->name, m->entries - 1);
    } else if ((size != 4 && size != 8) || offset % size != 0 || (uint64_t)offset + size > m->value_size) {
        *rc = mapsync__fail(m, EINVAL, "no aligned %u-byte integer at offset %u of map %s's %u-byte values", size,
                            offset, m->name, m->value_size);
    } else {
        return m->data + (size_t)index * m->stride + offset;
    }
    return NULL;
}

int mapsync_fetch_add(struct mapsync_map *m, uint32_t index, uint32_t offset, uint32_t size, int64_t delta,
                      int64_t *previous) {
    int rc = 0;
    uint8_t *p = integer_at(m, index, offset, size, &rc);
    if (p == NULL) return rc;
    int64_t before = size == 8 ? mapsync_fetch_add_i64((int64_t *)p, delta)
                               : mapsync_fetch_add_i32((int32_t *)p, (int32_t)delta);
    if (previous != NULL) *previous = before;
    return mapsync_record_change(m, index, MAPSYNC_CHANGE_ATOMIC);
}

int mapsync_compare_and_set(struct mapsync_map *m, uint32_t index, uint32_t offset, uint32_t size, int64_t expected,
                            int64_t desired, int64_t *witness) {
    int rc = 0;
    uint8_t *p = integer_at(m, index, offset, size, &rc);
    if (p == NULL) return rc;
    bool swapped;
    int64_t seen = expected;
    if (size == 8) {
        swapped = mapsync_cas_i64((int64_t *)p, &seen, desired);
    } else {
        int32_t e = (int32_t)expected;
        swapped = mapsync_cas_i32((int32_t *)p, &e, (int32_t)desired);
        seen = swapped ? expected : e;
    }
    if (witness != NULL) *witness = seen;
    return swapped ? mapsync_record_change(m, index, MAPSYNC_CHANGE_ATOMIC) : 0;
}
