/*
 * bpf_hash.c: bpf hash maps (FORMAT.md §10.8). A kernel BPF_MAP_TYPE_HASH or LRU_HASH holds the entries and cannot be
 * mapped, so every operation is a bpf(2) call; the sidecar holds the stripe locks that make mapsync processes'
 * read-modify-writes atomic among themselves (BPF programs do not take them) and the changelog, where each change is
 * recorded with slot -1 and the key's bytes, as the Java library records them. With access 2 the kernel's value is
 * `struct { struct bpf_spin_lock lock; V value; }` and every copy passes BPF_F_LOCK, so the kernel copies it under
 * the element's lock, the one BPF programs take. A per-CPU hash map (PERCPU_HASH, LRU_PERCPU_HASH) copies one value
 * per possible CPU, summed on the way out and replicated on the way in (percpu.c).
 */
#include "internal.h"

#ifdef MAPSYNC_WITH_LIBBPF
#include <bpf/bpf.h>
#include <linux/bpf.h>

#define ACCESS_SYSCALL 1
#define ACCESS_SYSCALL_LOCKED 2
#define NO_SLOT UINT32_MAX     /* a kernel hash map's change names no slot (FORMAT.md §4.3) */
#define MAX_ATTEMPTS 1000      /* a key appearing and vanishing this often between lookup and update: give up */
#define BATCH 256
#define SPIN_LOCK_SIZE 4       /* struct bpf_spin_lock { __u32 val; } */

/* The alignment of a value of `schema`: its largest scalar's (structs align to their widest field, FORMAT.md §3). */
static long schema_alignment(const char *schema) {
    int max = 2048; /* a schema text of at most 3840 bytes has fewer fields than this */
    struct mapsync_field *fields = malloc(sizeof *fields * (size_t)max);
    if (fields == NULL) return -ENOMEM;
    uint32_t size;
    int n = mapsync_schema_fields(schema, fields, max, &size);
    long align = 1;
    for (int i = 0; i < n; i++) if (fields[i].size > align) align = fields[i].size;
    free(fields);
    return n < 0 ? n : align;
}

/* A per-CPU hash map: one value per possible CPU for each key, no bpf_spin_lock (the kernel allows none in them). */
static int open_per_cpu(struct mapsync_map *m, const char *what, const struct bpf_map_info *info) {
    const struct mapsync_header *h = m->header;
    if (h->bpf_access != ACCESS_SYSCALL) {
        return mapsync__fail(m, EBADMSG, "bpf hash map %s is corrupt: its sidecar records a per-CPU hash map with access"
                             " %u (a per-CPU map's is 1, syscall: its values have no bpf_spin_lock)", what, h->bpf_access);
    }
    if (info->type != h->bpf_map_type || info->key_size != h->key_size || info->value_size != h->value_size
        || info->max_entries != h->entries) {
        return mapsync__fail(m, EMEDIUMTYPE, "bpf hash map %s: the kernel map pinned at %s (type %u, key %u, value %u, %u"
                             " entries) does not match its sidecar (type %u, key %u, value %u, %u entries); the pin was"
                             " replaced: delete the sidecar to adopt the new map", what, m->pin, info->type,
                             info->key_size, info->value_size, info->max_entries, h->bpf_map_type, h->key_size,
                             h->value_size, h->entries);
    }
    int rc = mapsync__possible_cpus(m, what);
    if (rc != 0) return rc;
    m->hash.kernel_value_size = m->cpus * mapsync__round_up(h->value_size, 8); /* each CPU's value 8-byte aligned */
    m->hash.kernel_value_offset = 0;
    m->hash.key_stride = mapsync__round_up(h->key_size, 8);
    return 0;
}

int mapsync__open_kernel_hash(struct mapsync_map *m, const char *what) {
    const struct mapsync_header *h = m->header;
    struct bpf_map_info info;
    int rc = mapsync__open_pin(m, what, false, &info);
    if (rc != 0) return rc;
    if (h->bpf_access != ACCESS_SYSCALL && h->bpf_access != ACCESS_SYSCALL_LOCKED) {
        return mapsync__fail(m, EBADMSG, "bpf hash map %s is corrupt: its sidecar records access %u (a hash map's is 1,"
                             " syscall, or 2, syscall with BPF_F_LOCK)", what, h->bpf_access);
    }
    if (h->bpf_map_type == BPF_MAP_TYPE_PERCPU_HASH || h->bpf_map_type == BPF_MAP_TYPE_LRU_PERCPU_HASH) {
        return open_per_cpu(m, what, &info);
    }
    long align = schema_alignment(m->value_schema);
    if (align < 0) return mapsync__fail(m, EBADMSG, "bpf hash map %s is corrupt: its value schema is not one", what);
    bool locked = h->bpf_access == ACCESS_SYSCALL_LOCKED;
    /* the layout of `struct { struct bpf_spin_lock lock; V value; }`, as gcc and the kernel's BTF lay it out */
    uint32_t offset = locked ? mapsync__round_up(SPIN_LOCK_SIZE, (uint32_t)align) : 0;
    uint32_t lock_align = align > SPIN_LOCK_SIZE ? (uint32_t)align : SPIN_LOCK_SIZE;
    uint32_t size = locked ? mapsync__round_up(offset + h->value_size, lock_align) : h->value_size;
    if ((info.type != BPF_MAP_TYPE_HASH && info.type != BPF_MAP_TYPE_LRU_HASH) || info.type != h->bpf_map_type
        || info.key_size != h->key_size || info.value_size != size || info.max_entries != h->entries) {
        return mapsync__fail(m, EMEDIUMTYPE, "bpf hash map %s: the kernel map pinned at %s (type %u, key %u, value %u, %u"
                             " entries) does not match its sidecar (type %u, key %u, value %u%s, %u entries); the pin was"
                             " replaced: delete the sidecar to adopt the new map", what, m->pin, info.type, info.key_size,
                             info.value_size, info.max_entries, h->bpf_map_type, h->key_size, size,
                             locked ? " with its bpf_spin_lock" : "", h->entries);
    }
    if (locked && info.btf_value_type_id == 0) {
        return mapsync__fail(m, EMEDIUMTYPE, "bpf hash map %s: the kernel map pinned at %s has no BTF, so the kernel knows"
                             " of no bpf_spin_lock in its values and refuses BPF_F_LOCK", what, m->pin);
    }
    m->hash.kernel_value_size = size;
    m->hash.kernel_value_offset = offset;
    m->hash.key_stride = mapsync__round_up(h->key_size, 8); /* the changelog's key slots */
    return 0;
}

static uint64_t lock_flag(const struct mapsync_map *m) {
    return m->header->bpf_access == ACCESS_SYSCALL_LOCKED ? BPF_F_LOCK : 0;
}

/* A buffer for the kernel's value: the value, or the lock and the value behind it. */
static uint8_t *kernel_value(struct mapsync_map *m) {
    uint8_t *v = calloc(1, m->hash.kernel_value_size < 8 ? 8 : m->hash.kernel_value_size);
    if (v == NULL) mapsync__fail(m, ENOMEM, "out of memory for a value of map %s", m->name);
    return v;
}

/* The value in the kernel's bytes: a per-CPU map's sum of its CPUs' values, else the value behind any lock. */
static int from_kernel(struct mapsync_map *m, const uint8_t *kernel, void *value) {
    if (m->cpus > 0) return mapsync__per_cpu_sum(m, kernel, mapsync__round_up(m->value_size, 8), value);
    memcpy(value, kernel + m->hash.kernel_value_offset, m->value_size);
    return 0;
}

/* The kernel's bytes of `value`: every CPU's value of a per-CPU map, else the value behind a zero lock word. */
static void to_kernel(struct mapsync_map *m, const void *value, uint8_t *kernel) {
    if (m->cpus > 0) {
        mapsync__per_cpu_replicate(m, value, kernel);
    } else {
        memcpy(kernel + m->hash.kernel_value_offset, value, m->value_size);
    }
}

/* The kernel's errno of a failed call as a sentence naming the map and the operation. */
static int syscall_failed(struct mapsync_map *m, int err, const char *operation) {
    if (err == E2BIG) {
        return mapsync__fail(m, ENOSPC, "map %s is full: its kernel hash map holds its max_entries (%u) and refused the"
                             " new key (E2BIG); remove keys, or create it larger (or as an LRU map, which evicts)", m->name,
                             m->entries);
    }
    return mapsync__fail(m, err, "bpf hash map %s: %s: %s", m->name, operation, strerror(err));
}

int mapsync__bpf_hash_get(struct mapsync_map *m, const void *key, void *value) {
    uint8_t *v = kernel_value(m);
    if (v == NULL) return -ENOMEM;
    int rc = 0;
    if (bpf_map_lookup_elem_flags(m->bpf_fd, key, v, lock_flag(m)) != 0) {
        rc = errno == ENOENT ? mapsync__fail(m, ENOENT, "no such key in map %s", m->name)
                             : syscall_failed(m, errno, "BPF_MAP_LOOKUP_ELEM");
    } else if (value != NULL) {
        rc = from_kernel(m, v, value);
    }
    free(v);
    return rc;
}

int mapsync_hash_get_per_cpu(struct mapsync_map *m, const void *key, void *values) {
    if (m->map_type != MAPSYNC_TYPE_HASH || m->cpus == 0) {
        return mapsync__fail(m, EMEDIUMTYPE, "map %s is not a per-CPU hash map", m->name);
    }
    uint8_t *v = kernel_value(m);
    if (v == NULL) return -ENOMEM;
    int rc = 0;
    if (bpf_map_lookup_elem(m->bpf_fd, key, v) != 0) {
        rc = errno == ENOENT ? mapsync__fail(m, ENOENT, "no such key in map %s", m->name)
                             : syscall_failed(m, errno, "BPF_MAP_LOOKUP_ELEM");
    } else {
        mapsync__per_cpu_unpack(m, v, values);
    }
    free(v);
    return rc;
}

/* Takes the key's stripe lock unless the calling thread holds it (mapsync_hash_lock_keys); *took says which. */
static int begin(struct mapsync_map *m, const void *key, long timeout_ms, uint32_t *stripe, bool *took) {
    *stripe = mapsync__hash_segment(m, key);
    *took = !mapsync__held(m, &m->locks[*stripe]);
    return *took ? mapsync__lock_stripe(m, *stripe, timeout_ms, NULL) : 0;
}

static void end(struct mapsync_map *m, uint32_t stripe, bool took) {
    if (took) mapsync__unlock_stripe(m, stripe);
}

/* A blind store (BPF_ANY) under the key's stripe lock, as Java's put: no lookup is needed. */
int mapsync__bpf_hash_put(struct mapsync_map *m, const void *key, const void *value, long timeout_ms) {
    uint8_t *v = kernel_value(m);
    if (v == NULL) return -ENOMEM;
    to_kernel(m, value, v);
    uint32_t stripe;
    bool took;
    int rc = begin(m, key, timeout_ms, &stripe, &took);
    if (rc == 0) {
        if (bpf_map_update_elem(m->bpf_fd, key, v, BPF_ANY | lock_flag(m)) != 0) {
            rc = syscall_failed(m, errno, "BPF_MAP_UPDATE_ELEM");
        } else {
            /* recorded under the stripe lock, so that one key's changes are logged in the order they happened */
            mapsync__record_keyed(m, NO_SLOT, MAPSYNC_CHANGE_WRITE, key);
        }
        end(m, stripe, took);
    }
    free(v);
    return rc;
}

int mapsync__bpf_hash_remove(struct mapsync_map *m, const void *key, long timeout_ms) {
    uint32_t stripe;
    bool took;
    int rc = begin(m, key, timeout_ms, &stripe, &took);
    if (rc != 0) return rc;
    if (bpf_map_delete_elem(m->bpf_fd, key) != 0) {
        rc = errno == ENOENT ? mapsync__fail(m, ENOENT, "no such key in map %s", m->name)
                             : syscall_failed(m, errno, "BPF_MAP_DELETE_ELEM");
    } else {
        mapsync__record_keyed(m, NO_SLOT, MAPSYNC_CHANGE_REMOVE, key);
    }
    end(m, stripe, took);
    return rc;
}

/*
 * Java's getAndAdd on a kernel map: under the stripe lock, look the key up, add, and update with BPF_EXIST (or
 * BPF_NOEXIST for a new key); a BPF program that inserted or deleted the key meanwhile makes the kernel refuse
 * (EEXIST, ENOENT), and the add is decided again on what is there now.
 */
int mapsync__bpf_hash_add(struct mapsync_map *m, const void *key, uint32_t field_offset, uint32_t field_size,
                          int64_t delta, int64_t *previous, long timeout_ms) {
    if (m->cpus > 0) {
        return mapsync__per_cpu_refused(m, "an add would write the new sum as every CPU's value; read the sum with"
                                        " mapsync_hash_get, or put a value (every CPU's)");
    }
    uint8_t *v = kernel_value(m);
    if (v == NULL) return -ENOMEM;
    uint32_t stripe;
    bool took;
    int rc = begin(m, key, timeout_ms, &stripe, &took);
    if (rc != 0) {
        free(v);
        return rc;
    }
    for (int attempt = 0; rc == 0; attempt++) {
        if (attempt == MAX_ATTEMPTS) {
            rc = mapsync__fail(m, EAGAIN, "map %s: the key kept appearing and vanishing between lookup and update (%d"
                               " times); something outside mapsync is inserting and deleting it", m->name, MAX_ATTEMPTS);
            break;
        }
        bool present = bpf_map_lookup_elem_flags(m->bpf_fd, key, v, lock_flag(m)) == 0;
        if (!present && errno != ENOENT) {
            rc = syscall_failed(m, errno, "BPF_MAP_LOOKUP_ELEM");
            break;
        }
        if (!present) memset(v, 0, m->hash.kernel_value_size); /* an absent key starts from zeros, as in Java */
        memset(v, 0, m->hash.kernel_value_offset);                 /* the lock word is the kernel's: written zero */
        int64_t before = mapsync__add_in_place(v + m->hash.kernel_value_offset + field_offset, field_size, delta);
        if (bpf_map_update_elem(m->bpf_fd, key, v, (present ? BPF_EXIST : BPF_NOEXIST) | lock_flag(m)) == 0) {
            if (previous != NULL) *previous = before;
            mapsync__record_keyed(m, NO_SLOT, MAPSYNC_CHANGE_ATOMIC, key);
            break;
        }
        if (errno != EEXIST && errno != ENOENT) rc = syscall_failed(m, errno, "BPF_MAP_UPDATE_ELEM");
    }
    end(m, stripe, took);
    free(v);
    return rc;
}

/*
 * Iterating by BPF_MAP_LOOKUP_BATCH, bucket by bucket: a key stays in its bucket, so a key present during the whole
 * iteration is returned exactly once, with no memory of the keys returned. A bucket with more entries than the
 * batch has room for is refused with ENOSPC: the batch grows and the call is repeated.
 */
struct batch {
    uint8_t in[8], out[8]; /* the kernel's position: a bucket index */
    bool started, last;
    uint32_t room, count, at;
    uint8_t *keys, *values;
};

static int grow(struct mapsync_map *m, struct batch *b, uint32_t room) {
    uint8_t *keys = realloc(b->keys, (size_t)room * m->key_size);
    if (keys != NULL) b->keys = keys;
    uint8_t *values = keys == NULL ? NULL : realloc(b->values, (size_t)room * m->hash.kernel_value_size);
    if (values != NULL) b->values = values;
    if (keys == NULL || values == NULL) return mapsync__fail(m, ENOMEM, "out of memory for a batch of map %s", m->name);
    b->room = room;
    return 0;
}

int mapsync__bpf_hash_iter_begin(struct mapsync_map *m, struct mapsync_hash_iter *it) {
    struct batch *b = calloc(1, sizeof *b);
    if (b == NULL) return mapsync__fail(m, ENOMEM, "out of memory");
    int rc = grow(m, b, BATCH);
    if (rc != 0) {
        free(b->keys);
        free(b->values);
        free(b);
        return rc;
    }
    it->map = m;
    it->copy = (uint8_t *)b;
    return 0;
}

static int fetch(struct mapsync_map *m, struct batch *b) {
    for (;;) {
        __u32 count = b->room;
        DECLARE_LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = lock_flag(m));
        int r = bpf_map_lookup_batch(m->bpf_fd, b->started ? b->in : NULL, b->out, b->keys, b->values, &count, &opts);
        int err = r == 0 ? 0 : errno;
        if (err == ENOSPC && count == 0) { /* one bucket holds more than the batch had room for */
            if (b->room >= (1u << 20)) return syscall_failed(m, err, "BPF_MAP_LOOKUP_BATCH");
            int rc = grow(m, b, b->room * 2);
            if (rc != 0) return rc;
            continue;
        }
        if (err != 0 && err != ENOENT) return syscall_failed(m, err, "BPF_MAP_LOOKUP_BATCH");
        if (count > b->room) return mapsync__fail(m, EBADMSG, "bpf hash map %s: BPF_MAP_LOOKUP_BATCH returned %u entries"
                                                  " into room for %u", m->name, count, b->room);
        b->started = true;
        b->last = err == ENOENT; /* ENOENT: the last bucket was reached */
        b->count = count;
        b->at = 0;
        memcpy(b->in, b->out, sizeof b->in);
        return 0;
    }
}

/* The next entry's key and its bytes in the kernel's layout; 1, 0 at the end, or a negative errno. */
static int next_entry(struct mapsync_hash_iter *it, void *key, const uint8_t **kernel) {
    struct mapsync_map *m = it->map;
    struct batch *b = (struct batch *)it->copy;
    while (b->at >= b->count) {
        if (b->last) return 0;
        int rc = fetch(m, b);
        if (rc != 0) return rc;
    }
    memcpy(key, b->keys + (size_t)b->at * m->key_size, m->key_size);
    *kernel = b->values + (size_t)b->at * m->hash.kernel_value_size;
    b->at++;
    return 1;
}

int mapsync__bpf_hash_next(struct mapsync_hash_iter *it, void *key, void *value) {
    const uint8_t *kernel;
    int rc = next_entry(it, key, &kernel);
    if (rc == 1) {
        int r = from_kernel(it->map, kernel, value);
        if (r != 0) return r;
    }
    return rc;
}

int mapsync_hash_next_per_cpu(struct mapsync_hash_iter *it, void *key, void *values) {
    struct mapsync_map *m = it->map;
    if (m == NULL || m->map_type != MAPSYNC_TYPE_HASH || m->cpus == 0 || it->copy == NULL) {
        return m == NULL ? -EINVAL : mapsync__fail(m, EMEDIUMTYPE, "map %s is not a per-CPU hash map being iterated", m->name);
    }
    const uint8_t *kernel;
    int rc = next_entry(it, key, &kernel);
    if (rc == 1) mapsync__per_cpu_unpack(m, kernel, values);
    return rc;
}

void mapsync__bpf_hash_iter_end(struct mapsync_hash_iter *it) {
    struct batch *b = (struct batch *)it->copy;
    if (b != NULL) {
        free(b->keys);
        free(b->values);
        free(b);
    }
    it->copy = NULL;
}
#else
static int no_libbpf(struct mapsync_map *m) {
    return mapsync__fail(m, ENOTSUP, "map %s is a bpf hash map: build libmapsync with WITH_LIBBPF=1 to use it", m->name);
}
int mapsync__bpf_hash_get(struct mapsync_map *m, const void *key, void *value) {
    (void)key, (void)value;
    return no_libbpf(m);
}
int mapsync__bpf_hash_put(struct mapsync_map *m, const void *key, const void *value, long timeout_ms) {
    (void)key, (void)value, (void)timeout_ms;
    return no_libbpf(m);
}
int mapsync__bpf_hash_remove(struct mapsync_map *m, const void *key, long timeout_ms) {
    (void)key, (void)timeout_ms;
    return no_libbpf(m);
}
int mapsync__bpf_hash_add(struct mapsync_map *m, const void *key, uint32_t field_offset, uint32_t field_size,
                          int64_t delta, int64_t *previous, long timeout_ms) {
    (void)key, (void)field_offset, (void)field_size, (void)delta, (void)previous, (void)timeout_ms;
    return no_libbpf(m);
}
int mapsync__bpf_hash_iter_begin(struct mapsync_map *m, struct mapsync_hash_iter *it) {
    (void)it;
    return no_libbpf(m);
}
int mapsync_hash_get_per_cpu(struct mapsync_map *m, const void *key, void *values) {
    (void)key, (void)values;
    return mapsync__fail(m, EMEDIUMTYPE, "map %s is not a per-CPU hash map", m->name);
}
int mapsync_hash_next_per_cpu(struct mapsync_hash_iter *it, void *key, void *values) {
    (void)key, (void)values;
    return it->map == NULL ? -EINVAL : mapsync__fail(it->map, EMEDIUMTYPE, "map %s is not a per-CPU hash map", it->map->name);
}
int mapsync__bpf_hash_next(struct mapsync_hash_iter *it, void *key, void *value) {
    (void)key, (void)value;
    return no_libbpf(it->map);
}
void mapsync__bpf_hash_iter_end(struct mapsync_hash_iter *it) {
    it->copy = NULL;
}
#endif
