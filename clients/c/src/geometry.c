/*
 * geometry.c: each map type's header rules (FORMAT.md §2 arrays and hash maps, §7.1 rings, §9 barriers, §11 counter
 * maps, §10.1 the
 * table of an shm hash map), checked as the Java library checks them, before anything is mapped by them.
 */
#include "internal.h"

#include <math.h>

#define MAX_VALUE_SIZE 0x7FFFFFF7u          /* 2^31 - 9: the stride fits 32 bits */
#define MAX_FILE_LENGTH (1ull << 46)        /* 64 TiB */
#define RING_CONTROL_END (33664 + 128)      /* the consumer record's line ends the ring's control region */
#define RING_MIN_CAPACITY 4096ull
#define RING_MAX_CAPACITY (1ull << 30)
#define BARRIER_SEATS 33408ull
#define HASH_TABLE_HEADER 64ull
#define HASH_IMAGE 64ull
#define HASH_MAX_SEGMENT (1ull << 30)

static uint64_t align_up(uint64_t n, uint64_t a) {
    return (n + a - 1) / a * a;
}

/* The control region of an array or hash map: hash maps keep each change's key beside the changelog (FORMAT.md §4). */
static uint64_t keyed_control_length(const struct mapsync_header *h) {
    uint64_t keys = h->map_type == MAPSYNC_TYPE_HASH ? (uint64_t)h->changelog_capacity * align_up(h->key_size, 8) : 0;
    return mapsync__page_align(MAPSYNC_STRIPES_OFFSET + (uint64_t)h->lock_stripes * 64
                               + (uint64_t)h->changelog_capacity * 32 + MAPSYNC_SLOT_COUNT * 8 + keys);
}

/* The geometry of an shm hash map's table (FORMAT.md §10.1); false if it is too large to exist. */
struct hash_geometry {
    uint64_t slot_size, slots, segment_header, segment_size, segments_offset, data_length;
};

static bool hash_geometry(uint32_t key_size, uint32_t value_size, uint32_t capacity, uint32_t segments,
                          struct hash_geometry *g) {
    if (key_size < 1 || value_size < 1 || capacity < 1 || segments < 1) return false;
    uint64_t key_stride = align_up(key_size, 8), value_stride = align_up(value_size, 8);
    g->slot_size = 8 + key_stride + value_stride;
    /* evaluated as Java evaluates it, in doubles: ceil(2λ + 6√λ + 8), λ = capacity / segments */
    double lambda = (double)capacity / segments;
    g->slots = align_up((uint64_t)ceil(2 * lambda + 6 * sqrt(lambda) + 8), 8);
    if (g->slot_size > 0x7FFFFFFFu || g->slots * segments >= 0x7FFFFFFFu) return false;
    g->segment_header = align_up(HASH_IMAGE + value_stride, 64);
    g->segment_size = align_up(g->segment_header + g->slots * g->slot_size, 64);
    if (g->segment_size > HASH_MAX_SEGMENT) return false;
    g->segments_offset = align_up(HASH_TABLE_HEADER + 4ull * segments, 64);
    g->data_length = mapsync__page_align(g->segments_offset + segments * g->segment_size);
    return true;
}

/*
 * The lengths of the control and data regions a header's type fields imply (FORMAT.md §2, §7.1, §9, §10.1): what an
 * opener checks and what a creator writes. False if an shm hash map of that geometry is too large to exist.
 */
static bool regions_of(const struct mapsync_header *h, uint64_t *control, uint64_t *data) {
    switch (h->map_type) {
    case MAPSYNC_TYPE_ARRAY: case MAPSYNC_TYPE_HASH: {
        *control = keyed_control_length(h);
        if (h->map_type == MAPSYNC_TYPE_ARRAY) {
            *data = mapsync__page_align((uint64_t)h->entries * h->stride);
        } else if (h->backend != MAPSYNC_BACKEND_SHM) {
            *data = 0; /* a bpf hash map's entries are in the kernel map */
        } else {
            struct hash_geometry g;
            if (!hash_geometry(h->key_size, h->value_size, h->entries, h->lock_stripes, &g)) return false;
            *data = g.data_length;
        }
        return true;
    }
    case MAPSYNC_TYPE_RING:
        *control = mapsync__page_align(RING_CONTROL_END);
        *data = h->entries; /* the capacity in bytes */
        return true;
    case MAPSYNC_TYPE_COUNTER:
        *control = mapsync__page_align(MAPSYNC_COUNTER_SUMMARY + 8);
        *data = (uint64_t)MAPSYNC_SLOT_COUNT * align_up(8ull * h->entries, MAPSYNC_COUNTER_ALIGN);
        return true;
    default:
        *control = mapsync__page_align(BARRIER_SEATS + (uint64_t)h->entries * 16);
        *data = 0;
        return true;
    }
}

bool mapsync__lay_out(struct mapsync_header *h) {
    bool keyed = h->map_type == MAPSYNC_TYPE_ARRAY || h->map_type == MAPSYNC_TYPE_HASH;
    h->stride = keyed ? (uint32_t)align_up(h->value_size, 8) : 0;
    if (h->map_type == MAPSYNC_TYPE_COUNTER) h->stride = (uint32_t)align_up(8ull * h->entries, MAPSYNC_COUNTER_ALIGN);
    uint64_t control, data;
    if (!regions_of(h, &control, &data)) return false;
    bool data_in_file = h->backend == MAPSYNC_BACKEND_SHM && h->map_type != MAPSYNC_TYPE_BARRIER;
    h->control_offset = MAPSYNC_HEADER_SIZE;
    h->control_length = control;
    h->data_offset = data_in_file ? MAPSYNC_HEADER_SIZE + control : 0;
    h->data_length = data;
    h->file_length = MAPSYNC_HEADER_SIZE + control + (data_in_file ? data : 0);
    return true;
}

void mapsync__write_hash_table(uint8_t *data, const struct mapsync_header *h, uint64_t seed) {
    struct hash_geometry g;
    hash_geometry(h->key_size, h->value_size, h->entries, h->lock_stripes, &g); /* laid out already */
    uint32_t segments = h->lock_stripes, slots = (uint32_t)g.slots, slot_size = (uint32_t)g.slot_size;
    uint32_t segment_header = (uint32_t)g.segment_header;
    memcpy(data, &seed, 8);
    memcpy(data + 8, &segments, 4);
    memcpy(data + 12, &slots, 4);
    memcpy(data + 16, &slot_size, 4);
    memcpy(data + 20, &segment_header, 4);
    memcpy(data + 24, &g.segment_size, 8);
    memcpy(data + 32, &g.segments_offset, 8);
}

/*
 * The regions every map type lays out the same way (FORMAT.md §2): the control region right after the header, then
 * the data region, in the file (`data_in_file`) or elsewhere (offset 0: a kernel map, or none), and the file's length.
 */
static int check_regions(struct mapsync_map *m, const char *what, const struct mapsync_header *h, uint64_t control,
                         uint64_t data, bool data_in_file) {
    if (h->control_offset != MAPSYNC_HEADER_SIZE || h->control_length != control) {
        return mapsync__fail(m, EBADMSG, "map %s is corrupt: control region at %llu of %llu bytes", what,
                             (unsigned long long)h->control_offset, (unsigned long long)h->control_length);
    }
    uint64_t control_end = MAPSYNC_HEADER_SIZE + control;
    if (h->data_length != data || h->data_offset != (data_in_file ? control_end : 0)) {
        return mapsync__fail(m, EBADMSG, "map %s is corrupt: data region at %llu of %llu bytes", what,
                             (unsigned long long)h->data_offset, (unsigned long long)h->data_length);
    }
    uint64_t file = control_end + (data_in_file ? data : 0);
    if (h->file_length != file) {
        return mapsync__fail(m, EBADMSG, "map %s is corrupt: file length field %llu, expected %llu", what,
                             (unsigned long long)h->file_length, (unsigned long long)file);
    }
    if (control_end + data > MAX_FILE_LENGTH) {
        return mapsync__fail(m, EBADMSG, "map %s is corrupt: it would take %llu bytes, more than a map may have", what,
                             (unsigned long long)(control_end + data));
    }
    return 0;
}

/* Arrays and hash maps (FORMAT.md §2): keys, values, stripes, the changelog and the regions that follow from them. */
static int check_keyed(struct mapsync_map *m, const char *what, const struct mapsync_header *h) {
    bool shm = h->backend == MAPSYNC_BACKEND_SHM;
    bool hash = h->map_type == MAPSYNC_TYPE_HASH;
    if (h->value_size < 1 || h->value_size > MAX_VALUE_SIZE || (hash && (h->key_size < 1 || h->key_size > MAX_VALUE_SIZE))) {
        return mapsync__fail(m, EBADMSG, "map %s is corrupt: key size %u, value size %u", what, h->key_size, h->value_size);
    }
    if (h->stride != align_up(h->value_size, 8)) {
        return mapsync__fail(m, EBADMSG, "map %s is corrupt: value stride %u for value size %u", what, h->stride, h->value_size);
    }
    if (h->entries < 1 || h->lock_stripes < 1 || h->lock_stripes > h->entries) {
        return mapsync__fail(m, EBADMSG, "map %s is corrupt: %u entries, %u lock stripes", what, h->entries, h->lock_stripes);
    }
    if (h->changelog_capacity < 16 || (h->changelog_capacity & (h->changelog_capacity - 1)) != 0) {
        return mapsync__fail(m, EBADMSG, "map %s is corrupt: changelog capacity %u", what, h->changelog_capacity);
    }
    if (!hash && h->key_size != 4) return mapsync__fail(m, EBADMSG, "map %s is corrupt: key size %u is not 4", what, h->key_size);
    uint64_t control, data;
    if (!regions_of(h, &control, &data)) {
        return mapsync__fail(m, EBADMSG, "map %s is corrupt: a hash map of %u entries of %u-byte keys and %u-byte values"
                             " in %u segments is too large", what, h->entries, h->key_size, h->value_size, h->lock_stripes);
    }
    return check_regions(m, what, h, control, data, shm);
}

/* Rings (FORMAT.md §7.1): entries is the capacity in bytes, a power of two of a page to 1 GiB. */
static int check_ring(struct mapsync_map *m, const char *what, const struct mapsync_header *h) {
    if (h->key_size != 0 || h->stride != 0 || h->lock_stripes != 0 || h->changelog_capacity != 0) {
        return mapsync__fail(m, EBADMSG, "map %s is corrupt: a ring has no key size, stride, lock stripes or changelog", what);
    }
    uint64_t capacity = h->entries;
    if (capacity < RING_MIN_CAPACITY || capacity > RING_MAX_CAPACITY || (capacity & (capacity - 1)) != 0) {
        return mapsync__fail(m, EBADMSG, "map %s is corrupt: a ring's capacity must be a power of two from %llu to %llu"
                             " bytes, not %llu", what, RING_MIN_CAPACITY, RING_MAX_CAPACITY, (unsigned long long)capacity);
    }
    if (h->value_size > capacity - 8) {
        return mapsync__fail(m, EBADMSG, "map %s is corrupt: value size %u does not fit a ring of %llu bytes", what,
                             h->value_size, (unsigned long long)capacity);
    }
    uint64_t control, data;
    regions_of(h, &control, &data);
    return check_regions(m, what, h, control, data, h->backend == MAPSYNC_BACKEND_SHM);
}

/* Barriers (FORMAT.md §9): shm only, no data region, a seat of 16 bytes per party. */
static int check_barrier(struct mapsync_map *m, const char *what, const struct mapsync_header *h) {
    if (h->backend != MAPSYNC_BACKEND_SHM) return mapsync__fail(m, EBADMSG, "map %s is corrupt: a barrier lives in shared memory only", what);
    if (h->key_size != 0 || h->value_size != 0 || h->stride != 0 || h->lock_stripes != 0 || h->changelog_capacity != 0) {
        return mapsync__fail(m, EBADMSG, "map %s is corrupt: a barrier has no keys, values, lock stripes or changelog", what);
    }
    if (h->entries < 1 || h->entries > MAPSYNC_SLOT_COUNT) {
        return mapsync__fail(m, EBADMSG, "map %s is corrupt: parties %u not in 1..%d", what, h->entries, MAPSYNC_SLOT_COUNT);
    }
    uint64_t control, data;
    regions_of(h, &control, &data);
    return check_regions(m, what, h, control, data, false);
}

/* Counter maps (FORMAT.md §11): shm only, 1..1024 counters of 8 bytes, a block of cells per process slot. */
static int check_counter(struct mapsync_map *m, const char *what, const struct mapsync_header *h) {
    if (h->backend != MAPSYNC_BACKEND_SHM) return mapsync__fail(m, EBADMSG, "map %s is corrupt: a counter map lives in shared memory only", what);
    if (h->key_size != 0 || h->value_size != 8 || h->lock_stripes != 0 || h->changelog_capacity != 0) {
        return mapsync__fail(m, EBADMSG, "map %s is corrupt: a counter map has no keys, lock stripes or changelog, and"
                             " values of 8 bytes (key size %u, value size %u, lock stripes %u, changelog capacity %u)",
                             what, h->key_size, h->value_size, h->lock_stripes, h->changelog_capacity);
    }
    if (h->entries < 1 || h->entries > MAPSYNC_SLOT_COUNT) {
        return mapsync__fail(m, EBADMSG, "map %s is corrupt: count %u not in 1..%d", what, h->entries, MAPSYNC_SLOT_COUNT);
    }
    uint64_t stride = align_up(8ull * h->entries, MAPSYNC_COUNTER_ALIGN);
    if (h->stride != stride) {
        return mapsync__fail(m, EBADMSG, "map %s is corrupt: cell block stride %u for %u counters, expected %llu", what,
                             h->stride, h->entries, (unsigned long long)stride);
    }
    uint64_t control, data;
    regions_of(h, &control, &data);
    return check_regions(m, what, h, control, data, true);
}

int mapsync__check_geometry(struct mapsync_map *m, const char *what, const struct mapsync_header *h, uint64_t file_size) {
    (void)file_size;
    switch (h->map_type) {
    case MAPSYNC_TYPE_ARRAY: case MAPSYNC_TYPE_HASH: return check_keyed(m, what, h);
    case MAPSYNC_TYPE_RING: return check_ring(m, what, h);
    case MAPSYNC_TYPE_COUNTER: return check_counter(m, what, h);
    default: return check_barrier(m, what, h);
    }
}

/* The size a schema text describes, or -1 when it is not a schema. */
long mapsync__schema_size(const char *text) {
    int max = MAPSYNC_SCHEMA_TEXT_MAX / 2 + 1; /* a field takes at least "a:i8," */
    struct mapsync_field *fields = malloc(sizeof *fields * (size_t)max);
    if (fields == NULL) return -1;
    uint32_t size = 0;
    int n = mapsync_schema_fields(text, fields, max, &size);
    free(fields);
    return n < 0 ? -1 : (long)size;
}

/* One value schema that is one scalar: single loads and stores, no sequence word (FORMAT.md §4.2). */
static uint32_t scalar_size(const char *text) {
    struct mapsync_field f[2];
    uint32_t size = 0;
    int n = mapsync_schema_fields(text, f, 2, &size);
    return n == 1 && f[0].name[0] == '\0' && f[0].kind != MAPSYNC_CHARS && !f[0].array ? f[0].size : 0;
}

int mapsync__check_schemas(struct mapsync_map *m, const char *what) {
    bool key_empty = m->key_schema[0] == '\0', value_empty = m->value_schema[0] == '\0';
    switch (m->map_type) {
    case MAPSYNC_TYPE_ARRAY: case MAPSYNC_TYPE_HASH:
        /* an array's key schema is its index's, u32 (or none, in a sidecar that adopted another program's pin) */
        if ((m->map_type == MAPSYNC_TYPE_HASH || !key_empty) && mapsync__schema_size(m->key_schema) != (long)m->key_size) {
            return mapsync__fail(m, EBADMSG, "map %s is corrupt: key schema '%s' does not describe %u-byte keys", what,
                                 m->key_schema, m->key_size);
        }
        if (mapsync__schema_size(m->value_schema) != (long)m->value_size) {
            return mapsync__fail(m, EBADMSG, "map %s is corrupt: value schema '%s' does not describe %u-byte values", what,
                                 m->value_schema, m->value_size);
        }
        if (m->map_type == MAPSYNC_TYPE_ARRAY) m->scalar_size = scalar_size(m->value_schema);
        return 0;
    case MAPSYNC_TYPE_RING:
        if (!key_empty) return mapsync__fail(m, EBADMSG, "map %s is corrupt: a ring has no key schema", what);
        if (m->value_size == 0 ? !value_empty : mapsync__schema_size(m->value_schema) != (long)m->value_size) {
            return mapsync__fail(m, EBADMSG, "map %s is corrupt: value schema '%s' does not describe %u-byte values", what,
                                 m->value_schema, m->value_size);
        }
        return 0;
    case MAPSYNC_TYPE_COUNTER:
        if (!key_empty || strcmp(m->value_schema, "i64") != 0) {
            return mapsync__fail(m, EBADMSG, "map %s is corrupt: a counter map has value schema i64 and no key schema,"
                                 " not '%s' -> '%s'", what, m->key_schema, m->value_schema);
        }
        return 0;
    default:
        if (!key_empty || !value_empty) return mapsync__fail(m, EBADMSG, "map %s is corrupt: a barrier has no schema", what);
        return 0;
    }
}

/* The table header an shm hash map's creator wrote (FORMAT.md §10.1) agrees with the geometry its header implies. */
int mapsync__check_hash_table(struct mapsync_map *m, const char *what) {
    struct hash_geometry g;
    hash_geometry(m->key_size, m->value_size, m->entries, m->lock_stripes, &g); /* checked with the header */
    const uint8_t *t = m->data;
    uint32_t segments, slots, slot_size, segment_header;
    uint64_t segment_size, segments_offset;
    memcpy(&segments, t + 8, 4);
    memcpy(&slots, t + 12, 4);
    memcpy(&slot_size, t + 16, 4);
    memcpy(&segment_header, t + 20, 4);
    memcpy(&segment_size, t + 24, 8);
    memcpy(&segments_offset, t + 32, 8);
    if (segments != m->lock_stripes || slots != g.slots || slot_size != g.slot_size || segment_header != g.segment_header
        || segment_size != g.segment_size || segments_offset != g.segments_offset) {
        return mapsync__fail(m, EBADMSG, "map %s is corrupt: its table header (%u segments of %u slots of %u bytes) does"
                             " not match its map header (%u segments of %llu slots of %llu bytes)", what, segments, slots,
                             slot_size, m->lock_stripes, (unsigned long long)g.slots, (unsigned long long)g.slot_size);
    }
    /* copies: a peer that rewrites the table header later changes nothing this handle addresses */
    memcpy(&m->hash.seed, t, 8);
    m->hash.segment_size = g.segment_size;
    m->hash.segments_offset = g.segments_offset;
    m->hash.slots = (uint32_t)g.slots;
    m->hash.slot_size = (uint32_t)g.slot_size;
    m->hash.segment_header = (uint32_t)g.segment_header;
    m->hash.key_stride = (uint32_t)align_up(m->key_size, 8);
    m->hash.value_stride = m->stride;
    return 0;
}
