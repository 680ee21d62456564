/*
 * hash_lock.c: the locks of hash map keys, as Java's SharedHashMap.lock / lockAll / getAll take them. A key's lock is
 * its segment's (FORMAT.md §10.2): a segment g guards entries whose stripe is g, so the segments' locks are taken as
 * mapsync_lock_many takes entry locks (ascending, one deadline, none kept on a timeout), and cannot deadlock with
 * Java's lockAll. While the calling thread holds them, its own puts, removes and adds on those keys run under them.
 */
#include "internal.h"

/* The segments of `n` keys (keys[i * key_size]), into a new array; -EINVAL/-ENOMEM. */
static int segments_of(struct mapsync_map *m, const void *keys, size_t n, uint32_t **out) {
    if (m->map_type != MAPSYNC_TYPE_HASH || m->locks == NULL) {
        return mapsync__fail(m, EMEDIUMTYPE, "map %s is not a hash map: it has no key locks", m->name);
    }
    if (n == 0 || keys == NULL) return mapsync__fail(m, EINVAL, "no keys to lock");
    uint32_t *segments = malloc(n * sizeof *segments);
    if (segments == NULL) return mapsync__fail(m, ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) segments[i] = mapsync__hash_segment(m, (const uint8_t *)keys + i * m->key_size);
    *out = segments;
    return 0;
}

int mapsync_hash_lock_keys(struct mapsync_map *m, const void *keys, size_t n, long timeout_ms, bool *previous_owner_died) {
    uint32_t *segments;
    int rc = segments_of(m, keys, n, &segments);
    if (rc != 0) return rc;
    rc = mapsync_lock_many(m, segments, n, timeout_ms, previous_owner_died);
    free(segments);
    return rc;
}

int mapsync_hash_unlock_keys(struct mapsync_map *m, const void *keys, size_t n) {
    uint32_t *segments;
    int rc = segments_of(m, keys, n, &segments);
    if (rc != 0) return rc;
    rc = mapsync_unlock_many(m, segments, n);
    free(segments);
    return rc;
}

int mapsync_hash_get_all(struct mapsync_map *m, const void *keys, size_t n, void *values, bool *found, long timeout_ms) {
    uint32_t *segments;
    int rc = segments_of(m, keys, n, &segments);
    if (rc != 0) return rc;
    /* segments the calling thread holds already (a caller inside mapsync_hash_lock_keys) are read under its locks */
    size_t k = 0;
    for (size_t i = 0; i < n; i++) if (!mapsync__held(m, &m->locks[segments[i]])) segments[k++] = segments[i];
    if (k > 0 && (rc = mapsync_lock_many(m, segments, k, timeout_ms, NULL)) != 0) {
        free(segments);
        return rc;
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        void *value = values == NULL ? NULL : (uint8_t *)values + i * m->value_size;
        int r = mapsync_hash_get(m, (const uint8_t *)keys + i * m->key_size, value, timeout_ms);
        if (r == 0 || r == -ENOENT) {
            if (found != NULL) found[i] = r == 0;
            if (r == -ENOENT && value != NULL) memset(value, 0, m->value_size);
        } else {
            rc = r;
        }
    }
    if (k > 0) {
        char error[sizeof m->error];
        memcpy(error, m->error, sizeof error); /* the release must not hide why a read failed */
        mapsync_unlock_many(m, segments, k);
        if (rc != 0) memcpy(m->error, error, sizeof error);
    }
    free(segments);
    return rc;
}
