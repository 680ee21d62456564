/*
 * hash.c: shm hash maps (FORMAT.md §10). A key lives in one segment, found by linear probing; a reader copies
 * without a lock between two loads of the segment's sequence word, reading through the journal while a window is
 * open; a writer holds the segment's lock and changes at most two slots per write window, journaled first, so that
 * a writer killed anywhere leaves a segment the next lock owner restores. Deletes shift keys back: no tombstone stays.
 */
#include "internal.h"

#include <sched.h>

#define T_ENTRIES_HINT 40
#define S_SEQ 0
#define S_TOMBSTONES 4
#define J_TAG 8
#define J_FLAGS 12
#define J_A 16
#define J_A_META 20
#define J_B 24
#define J_B_META 28
#define J_COUNT 32
#define J_TOMBSTONES 36
#define S_IMAGE 64
#define META 0
#define HOME 4
#define KEY 8
#define EMPTY 0u
#define TOMBSTONE 1u
#define OCCUPIED 2u
#define J_IMAGE 1u
#define READ_SPINS 100
#define NEAR_FULL 64
#define RECOUNT_EVERY 4096

/* ---------------------------------------------------------------------------------------------- addressing */

static uint64_t rotl(uint64_t x, int r) { return x << r | x >> (64 - r); }

/* FORMAT.md §10.2 */
uint64_t mapsync__key_hash(const uint8_t *key, uint32_t size, uint64_t seed) {
    uint64_t h = seed ^ ((uint64_t)size * 0x9E3779B97F4A7C15ull);
    for (uint32_t i = 0; i < size; i += 8) {
        uint64_t w = 0;
        memcpy(&w, key + i, size - i < 8 ? size - i : 8);
        h = rotl(h ^ (w * 0xBF58476D1CE4E5B9ull), 31) * 0x94D049BB133111EBull;
    }
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDull;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ull;
    return h ^ (h >> 33);
}

struct place {
    uint32_t g, home, meta;
    uint8_t *seg;
};

static struct place place_of(const struct mapsync_map *m, const void *key) {
    uint64_t h = mapsync__key_hash(key, m->key_size, m->hash.seed);
    struct place p;
    p.g = (uint32_t)(((h >> 32) * m->lock_stripes) >> 32);
    p.home = (uint32_t)(((h & 0xFFFFFFFFu) * m->hash.slots) >> 32);
    p.meta = (uint32_t)((rotl(h, 21) * 0x9E3779B97F4A7C15ull) >> 34) << 2 | OCCUPIED;
    p.seg = m->data + m->hash.segments_offset + p.g * m->hash.segment_size;
    return p;
}

static uint32_t *u32(uint8_t *p, uint64_t offset) { return (uint32_t *)(p + offset); }
static uint8_t *slot_at(const struct mapsync_map *m, uint8_t *seg, uint32_t i) {
    return seg + m->hash.segment_header + (uint64_t)i * m->hash.slot_size;
}
static uint32_t *count_word(const struct mapsync_map *m, uint32_t g) { return u32(m->data, 64 + 4ull * g); }
static int64_t *hint_word(const struct mapsync_map *m) { return (int64_t *)(m->data + T_ENTRIES_HINT); }
static uint32_t load(const uint32_t *p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }
static void store(uint32_t *p, uint32_t v) { __atomic_store_n(p, v, __ATOMIC_RELAXED); }

/* Copies `size` bytes word by word with relaxed atomics (the stride is a multiple of 8; padding written zero). */
static void copy_words(uint8_t *to, const uint8_t *from, uint32_t size, uint32_t stride, bool from_shared) {
    for (uint32_t i = 0; i < stride; i += 8) {
        uint64_t w = 0;
        if (from_shared) w = __atomic_load_n((const uint64_t *)(from + i), __ATOMIC_RELAXED);
        else if (i < size) memcpy(&w, from + i, size - i < 8 ? size - i : 8);
        __atomic_store_n((uint64_t *)(to + i), w, __ATOMIC_RELAXED);
    }
}

static void copy_out(void *out, const uint8_t *from, uint32_t size) {
    for (uint32_t i = 0; i < size; i += 8) {
        uint64_t w = __atomic_load_n((const uint64_t *)(from + i), __ATOMIC_RELAXED);
        memcpy((uint8_t *)out + i, &w, size - i < 8 ? size - i : 8);
    }
}

static bool key_equals(const uint8_t *slot_key, const uint8_t *key, uint32_t size) {
    for (uint32_t i = 0; i < size; i += 8) {
        uint64_t w = __atomic_load_n((const uint64_t *)(slot_key + i), __ATOMIC_RELAXED), k = 0;
        memcpy(&k, key + i, size - i < 8 ? size - i : 8);
        if (size - i < 8) w &= (1ull << (8 * (size - i))) - 1; /* the key's own bytes; padding is zero anyway */
        if (w != k) return false;
    }
    return true;
}

/* ---------------------------------------------------------------------------------------------- the journal */

struct journal {
    uint32_t tag, flags, a_meta, b_meta, count, tombstones;
    int64_t a, b; /* slots, -1 for none */
};

static struct journal read_journal(uint8_t *seg) {
    struct journal j;
    j.tag = __atomic_load_n(u32(seg, J_TAG), __ATOMIC_ACQUIRE);
    j.flags = load(u32(seg, J_FLAGS));
    j.a = (int64_t)load(u32(seg, J_A)) - 1;
    j.a_meta = load(u32(seg, J_A_META));
    j.b = (int64_t)load(u32(seg, J_B)) - 1;
    j.b_meta = load(u32(seg, J_B_META));
    j.count = load(u32(seg, J_COUNT));
    j.tombstones = load(u32(seg, J_TOMBSTONES));
    return j;
}

static bool is_meta(uint32_t meta) {
    return meta == EMPTY || meta == TOMBSTONE || (meta & 3) == OCCUPIED;
}

/* What makes a journal one no writer writes (FORMAT.md §10.3), or NULL. */
static const char *journal_problem(const struct journal *j, uint32_t seq, uint32_t slots) {
    if (j->tag != seq) return "belongs to another window";
    if (j->a < -1 || j->a >= slots) return "names a slot A beyond the segment";
    if (j->b < -1 || j->b >= slots) return "names a slot B beyond the segment";
    if (j->b >= 0 && (j->a < 0 || j->a == j->b)) return "names a slot B without a slot A, or the same slot twice";
    if (j->a >= 0 && !is_meta(j->a_meta)) return "holds a meta for slot A which no slot has";
    if (j->b >= 0 && !is_meta(j->b_meta)) return "holds a meta for slot B which no slot has";
    /* flag 2 marks a window that clears the segment (the Java library's journal allows it, and writes only flag 1) */
    if ((j->flags & ~3u) != 0 || ((j->flags & J_IMAGE) && j->a < 0)) return "has flags no writer sets";
    if (j->count > slots) return "holds a live count above the segment's slots";
    if (j->tombstones > slots) return "holds more tombstones than the segment's slots";
    return NULL;
}

static int corrupt_window(struct mapsync_map *m, uint32_t g, uint32_t seq, const char *problem) {
    return mapsync__fail(m, EBADMSG, "map %s is corrupt: segment %u has a write window open (sequence %u) whose journal"
                         " %s, so it can be neither read through nor undone", m->name, g, seq, problem);
}

static uint32_t meta_through(const struct journal *j, uint32_t i, uint32_t current) {
    return j == NULL ? current : (int64_t)i == j->a ? j->a_meta : (int64_t)i == j->b ? j->b_meta : current;
}

/* ------------------------------------------------------------------------------------------------- reading */

#define BAD_META (-2)

/* The slot of `key` in the segment, seen through `j` (NULL: as it is); -1; or BAD_META - i when slot i holds a meta
 * no slot has. */
static int64_t probe(const struct mapsync_map *m, const struct place *p, const void *key, const struct journal *j) {
    uint32_t i = p->home;
    for (uint32_t n = 0; n < m->hash.slots; n++) {
        uint8_t *slot = slot_at(m, p->seg, i);
        uint32_t meta = meta_through(j, i, __atomic_load_n(u32(slot, META), __ATOMIC_RELAXED));
        if (meta == EMPTY) return -1;
        if (meta == p->meta) {
            if (key_equals(slot + KEY, key, m->key_size)) return i;
        } else if (!is_meta(meta)) {
            return BAD_META - (int64_t)i;
        }
        if (++i == m->hash.slots) i = 0;
    }
    return -1;
}

static int corrupt_meta(struct mapsync_map *m, uint32_t g, uint32_t i, uint32_t meta) {
    return mapsync__fail(m, EBADMSG, "map %s is corrupt: slot %u of segment %u has meta %u, which no slot has", m->name, i,
                         g, meta);
}

/* The error for the meta no slot has that probe found (found < -1). */
static int bad_meta(struct mapsync_map *m, const struct place *p, int64_t found, const struct journal *j) {
    uint32_t i = (uint32_t)(BAD_META - found);
    return corrupt_meta(m, p->g, i, meta_through(j, i, load(u32(slot_at(m, p->seg, i), META))));
}

static int check_hash(struct mapsync_map *m, bool write) {
    if (m->map_type != MAPSYNC_TYPE_HASH) return mapsync__fail(m, EMEDIUMTYPE, "map %s is not a hash map", m->name);
    if (write && m->token == 0) return mapsync__fail(m, EBADF, "map %s is open read-only; it cannot be written", m->name);
    return 0;
}

/* A reader never busy-waits for long: spin, yield, then sleep with a growing interval; -ETIMEDOUT after timeout_ms. */
static int back_off(struct mapsync_map *m, int attempt, uint64_t *start, long timeout_ms, uint32_t g) {
    if (attempt < READ_SPINS) {
        mapsync__pause();
        return 0;
    }
    uint64_t now = mapsync__now_ns();
    if (*start == 0) *start = now;
    else if (now - *start >= (uint64_t)(timeout_ms > 0 ? timeout_ms : 0) * 1000000u) {
        return mapsync__fail(m, ETIMEDOUT, "timed out after %ld ms reading segment %u of map %s: writers kept changing it"
                             " under every attempt", timeout_ms, g, m->name);
    }
    if (attempt < READ_SPINS + 20) sched_yield();
    else mapsync__sleep_ns(1000L << (attempt - READ_SPINS - 20 < 10 ? attempt - READ_SPINS - 20 : 10));
    return 0;
}

int mapsync_hash_get(struct mapsync_map *m, const void *key, void *value, long timeout_ms) {
    int rc = check_hash(m, false);
    if (rc != 0) return rc;
    if (mapsync__kernel_hash(m)) return mapsync__bpf_hash_get(m, key, value);
    struct place p = place_of(m, key);
    uint64_t start = 0;
    for (int attempt = 0;; attempt++) {
        uint32_t s1 = __atomic_load_n(u32(p.seg, S_SEQ), __ATOMIC_ACQUIRE);
        struct journal j, *through = NULL;
        bool readable = true;
        if (s1 & 1) {
            j = read_journal(p.seg);
            readable = journal_problem(&j, s1, m->hash.slots) == NULL;
            through = &j;
        }
        if (readable) {
            int64_t found = probe(m, &p, key, through);
            if (found < -1) {
                /* a meta no writer writes, unless a window opened or closed under the probe: look again then */
                __atomic_thread_fence(__ATOMIC_ACQUIRE);
                if (__atomic_load_n(u32(p.seg, S_SEQ), __ATOMIC_RELAXED) == s1) return bad_meta(m, &p, found, through);
                if ((rc = back_off(m, attempt, &start, timeout_ms, p.g)) != 0) return rc;
                continue;
            }
            if (found >= 0 && value != NULL) {
                const uint8_t *from = through != NULL && found == j.a && (j.flags & J_IMAGE)
                                      ? p.seg + S_IMAGE : slot_at(m, p.seg, (uint32_t)found) + KEY + m->hash.key_stride;
                copy_out(value, from, m->value_size);
            }
            __atomic_thread_fence(__ATOMIC_ACQUIRE);
            if (__atomic_load_n(u32(p.seg, S_SEQ), __ATOMIC_RELAXED) == s1) {
                return found >= 0 ? 0 : mapsync__fail(m, ENOENT, "no such key in map %s", m->name);
            }
        } else {
            /* a journal no writer is rewriting is corrupt: never wait on it */
            __atomic_thread_fence(__ATOMIC_ACQUIRE);
            if (__atomic_load_n(u32(p.seg, S_SEQ), __ATOMIC_RELAXED) == s1) {
                struct journal again = read_journal(p.seg);
                const char *problem = journal_problem(&again, s1, m->hash.slots);
                if (problem != NULL) return corrupt_window(m, p.g, s1, problem);
            }
        }
        if ((rc = back_off(m, attempt, &start, timeout_ms, p.g)) != 0) return rc;
    }
}

/* ------------------------------------------------------------------------------------------------- windows */

static void window_open(struct mapsync_map *m, uint8_t *seg, uint32_t g, int64_t a, uint32_t a_meta, int64_t b,
                        uint32_t b_meta, bool image) {
    uint32_t s = load(u32(seg, S_SEQ));
    store(u32(seg, J_A), (uint32_t)(a + 1));
    store(u32(seg, J_A_META), a_meta);
    store(u32(seg, J_B), (uint32_t)(b + 1));
    store(u32(seg, J_B_META), b_meta);
    store(u32(seg, J_COUNT), load(count_word(m, g)));
    store(u32(seg, J_TOMBSTONES), load(u32(seg, S_TOMBSTONES)));
    store(u32(seg, J_FLAGS), image ? J_IMAGE : 0);
    if (image) copy_words(seg + S_IMAGE, slot_at(m, seg, (uint32_t)a) + KEY + m->hash.key_stride, m->value_size, m->hash.value_stride, true);
    __atomic_store_n(u32(seg, J_TAG), s + 1, __ATOMIC_RELEASE);
    __atomic_store_n(u32(seg, S_SEQ), s + 1, __ATOMIC_RELEASE);
    __atomic_thread_fence(__ATOMIC_RELEASE); /* store-store: no change of the window moves above the odd sequence */
}

static void window_close(uint8_t *seg) {
    __atomic_store_n(u32(seg, S_SEQ), load(u32(seg, S_SEQ)) + 1, __ATOMIC_RELEASE);
}

static void add_tombstones(uint8_t *seg, int delta) {
    store(u32(seg, S_TOMBSTONES), load(u32(seg, S_TOMBSTONES)) + (uint32_t)delta);
}

static int live_count(struct mapsync_map *m, uint32_t g, uint32_t *count) {
    *count = load(count_word(m, g));
    if (*count > m->hash.slots) {
        return mapsync__fail(m, EBADMSG, "map %s is corrupt: segment %u counts %u live entries, more than its %u slots",
                             m->name, g, *count, m->hash.slots);
    }
    return 0;
}

/* Undoes the window a dead writer left open, from its journal (FORMAT.md §10.6). */
static int roll_back(struct mapsync_map *m, uint8_t *seg, uint32_t g) {
    uint32_t s = load(u32(seg, S_SEQ));
    struct journal j = read_journal(seg);
    const char *problem = journal_problem(&j, s, m->hash.slots);
    if (problem != NULL) return corrupt_window(m, g, s, problem);
    if (j.a >= 0) {
        uint8_t *a = slot_at(m, seg, (uint32_t)j.a);
        if (j.flags & J_IMAGE) copy_words(a + KEY + m->hash.key_stride, seg + S_IMAGE, m->value_size, m->hash.value_stride, true);
        store(u32(a, META), j.a_meta);
    }
    if (j.b >= 0) store(u32(slot_at(m, seg, (uint32_t)j.b), META), j.b_meta);
    __atomic_store_n(count_word(m, g), j.count, __ATOMIC_RELAXED);
    store(u32(seg, S_TOMBSTONES), j.tombstones);
    __atomic_store_n(u32(seg, S_SEQ), s + 1, __ATOMIC_RELEASE);
    return 0;
}

static uint32_t distance(uint32_t from, uint32_t to, uint32_t slots) {
    return to >= from ? to - from : to + slots - from;
}

/* Backward shift from the hole (a tombstone): 1 when the cluster ended, 0 when no empty slot ends it, or < 0. */
static int shift_from(struct mapsync_map *m, uint8_t *seg, uint32_t g, uint32_t hole) {
    uint32_t slots = m->hash.slots, j = hole;
    for (uint32_t n = 1; n < slots; n++) {
        if (++j == slots) j = 0;
        uint8_t *at = slot_at(m, seg, j);
        uint32_t meta = load(u32(at, META));
        if (meta == EMPTY) {
            window_open(m, seg, g, hole, TOMBSTONE, -1, 0, false);
            store(u32(slot_at(m, seg, hole), META), EMPTY);
            add_tombstones(seg, -1);
            window_close(seg);
            return 1;
        }
        if (meta == TOMBSTONE) continue;
        if (!is_meta(meta)) return corrupt_meta(m, g, j, meta);
        /* the key's home as its hash gives it: a key moved by a wrong home word would land where no probe finds it */
        struct place q = place_of(m, at + KEY);
        uint32_t home = q.home, stored = load(u32(at, HOME));
        if (stored != home) {
            return mapsync__fail(m, EBADMSG, "map %s is corrupt: the key in slot %u of segment %u has its home at slot %u,"
                                 " and its hash puts it at slot %u", m->name, j, g, stored, home);
        }
        if (meta != q.meta) {
            return mapsync__fail(m, EBADMSG, "map %s is corrupt: the key in slot %u of segment %u has meta %u, and its hash"
                                 " gives meta %u", m->name, j, g, meta, q.meta);
        }
        if (distance(home, hole, slots) < distance(home, j, slots)) {
            uint8_t *to = slot_at(m, seg, hole);
            window_open(m, seg, g, hole, TOMBSTONE, j, meta, false);
            copy_words(to + KEY, at + KEY, m->hash.key_stride + m->hash.value_stride, m->hash.key_stride + m->hash.value_stride, true);
            store(u32(to, HOME), home);
            store(u32(to, META), meta);
            store(u32(at, META), TOMBSTONE);
            window_close(seg);
            hole = j;
            n = 0;
        }
    }
    return 0;
}

/* Removes the tombstones a cut-short delete left, finishing its backward shift. */
static int sweep_tombstones(struct mapsync_map *m, uint8_t *seg, uint32_t g) {
    while (load(u32(seg, S_TOMBSTONES)) > 0) {
        int64_t t = -1;
        for (uint32_t i = 0; i < m->hash.slots && t < 0; i++) {
            if (load(u32(slot_at(m, seg, i), META)) == TOMBSTONE) t = i;
        }
        if (t < 0) { /* the count disagrees with the slots: trust the slots */
            window_open(m, seg, g, -1, 0, -1, 0, false);
            store(u32(seg, S_TOMBSTONES), 0);
            window_close(seg);
            return 0;
        }
        bool any_key = false; /* the slots say whether a key is left, not the live count */
        for (uint32_t i = 0; i < m->hash.slots && !any_key; i++) {
            uint32_t meta = load(u32(slot_at(m, seg, i), META));
            any_key = meta != EMPTY && meta != TOMBSTONE;
        }
        if (!any_key) {
            window_open(m, seg, g, t, TOMBSTONE, -1, 0, false);
            store(u32(slot_at(m, seg, (uint32_t)t), META), EMPTY);
            add_tombstones(seg, -1);
            window_close(seg);
        } else {
            int rc = shift_from(m, seg, g, (uint32_t)t);
            if (rc <= 0) return rc;
        }
    }
    return 0;
}

/*
 * Takes the segment's lock and repairs what a dead writer left (FORMAT.md §10.6). A thread that holds the lock
 * already (mapsync_hash_lock_keys) writes under it without taking it again, as Java's holder does: *took says
 * whether this call took it, and so whether end() gives it back.
 */
static int begin(struct mapsync_map *m, const struct place *p, long timeout_ms, bool *took) {
    *took = !mapsync__held(m, &m->locks[p->g]);
    int rc = *took ? mapsync__lock_stripe(m, p->g, timeout_ms, NULL) : 0;
    if (rc != 0) return rc;
    if (load(u32(p->seg, S_SEQ)) & 1) rc = roll_back(m, p->seg, p->g);
    if (rc == 0 && load(u32(p->seg, S_TOMBSTONES)) != 0) rc = sweep_tombstones(m, p->seg, p->g);
    if (rc != 0 && *took) mapsync__unlock_stripe(m, p->g);
    return rc;
}

static void end(struct mapsync_map *m, const struct place *p, bool took) {
    if (took) mapsync__unlock_stripe(m, p->g);
}

uint32_t mapsync__hash_segment(const struct mapsync_map *m, const void *key) {
    if (mapsync__kernel_hash(m)) { /* no table: the stripe of the key's hash with seed 0 (FORMAT.md §10.8) */
        return (uint32_t)(((mapsync__key_hash(key, m->key_size, 0) >> 32) * m->lock_stripes) >> 32);
    }
    return place_of(m, key).g;
}

/* The live entries, summed over the segments. */
static int size_of(struct mapsync_map *m, int64_t *total) {
    *total = 0;
    for (uint32_t g = 0; g < m->lock_stripes; g++) {
        uint32_t c;
        int rc = live_count(m, g, &c);
        if (rc != 0) return rc;
        *total += c;
    }
    return 0;
}

static int insert(struct mapsync_map *m, const struct place *p, const void *key, const void *value, uint32_t *slot_out) {
    int64_t hint = __atomic_load_n(hint_word(m), __ATOMIC_RELAXED);
    /* the handle's insert count is shared by its threads: a relaxed atomic, exact enough for a recount now and then */
    /* a hint below zero is one no writer leaves (a dead one leaves it off by one): count, as near the capacity */
    if (hint < 0 || hint >= (int64_t)m->entries - NEAR_FULL
        || __atomic_add_fetch(&m->hash.inserts, 1, __ATOMIC_RELAXED) >= RECOUNT_EVERY) {
        __atomic_store_n(&m->hash.inserts, 0, __ATOMIC_RELAXED);
        int64_t total;
        int rc = size_of(m, &total);
        if (rc != 0) return rc;
        if (hint < 0 || total - hint > 4 || hint - total > 4) {
            __atomic_compare_exchange_n(hint_word(m), &hint, total, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
        }
        if (total >= m->entries) {
            return mapsync__fail(m, ENOSPC, "map %s is full: it holds %lld entries, its capacity is %u", m->name,
                                 (long long)total, m->entries);
        }
    }
    uint32_t free = p->home, n = 0;
    for (; n < m->hash.slots; n++) {
        uint32_t meta = load(u32(slot_at(m, p->seg, free), META));
        if (meta == EMPTY || meta == TOMBSTONE) break;
        if (++free == m->hash.slots) free = 0;
    }
    if (n == m->hash.slots) {
        return mapsync__fail(m, ENOSPC, "map %s is full: segment %u has no free slot among its %u", m->name, p->g, m->hash.slots);
    }
    uint32_t count;
    int rc = live_count(m, p->g, &count);
    if (rc != 0) return rc;
    uint8_t *at = slot_at(m, p->seg, free);
    uint32_t old = load(u32(at, META));
    window_open(m, p->seg, p->g, free, old, -1, 0, false);
    copy_words(at + KEY, key, m->key_size, m->hash.key_stride, false);
    copy_words(at + KEY + m->hash.key_stride, value, m->value_size, m->hash.value_stride, false);
    store(u32(at, HOME), p->home);
    store(u32(at, META), p->meta);
    __atomic_store_n(count_word(m, p->g), count + 1, __ATOMIC_RELAXED);
    if (old == TOMBSTONE) add_tombstones(p->seg, -1);
    window_close(p->seg);
    __atomic_fetch_add(hint_word(m), 1, __ATOMIC_SEQ_CST);
    *slot_out = free;
    return 0;
}

/* Writes `value` as `key`'s, replacing or inserting, under the segment's lock; *slot is where it went. */
static int write_locked(struct mapsync_map *m, const struct place *p, const void *key, int64_t found, const void *value,
                        uint32_t *slot) {
    if (found < 0) return insert(m, p, key, value, slot);
    uint8_t *at = slot_at(m, p->seg, (uint32_t)found);
    window_open(m, p->seg, p->g, found, load(u32(at, META)), -1, 0, true);
    copy_words(at + KEY + m->hash.key_stride, value, m->value_size, m->hash.value_stride, false);
    window_close(p->seg);
    *slot = (uint32_t)found;
    return 0;
}

int mapsync_hash_put(struct mapsync_map *m, const void *key, const void *value, long timeout_ms) {
    int rc = check_hash(m, true);
    if (rc != 0) return rc;
    if (mapsync__kernel_hash(m)) return mapsync__bpf_hash_put(m, key, value, timeout_ms);
    struct place p = place_of(m, key);
    bool took;
    if ((rc = begin(m, &p, timeout_ms, &took)) != 0) return rc;
    uint32_t slot;
    int64_t found = probe(m, &p, key, NULL);
    rc = found < -1 ? bad_meta(m, &p, found, NULL) : write_locked(m, &p, key, found, value, &slot);
    /* recorded under the segment's lock, so that the changes of one key are logged in the order they happened */
    if (rc == 0) mapsync__record_keyed(m, p.g * m->hash.slots + slot, MAPSYNC_CHANGE_WRITE, key);
    end(m, &p, took);
    return rc;
}

int64_t mapsync__add_in_place(uint8_t *at, uint32_t size, int64_t delta) {
    switch (size) {
    case 1: { int8_t v; memcpy(&v, at, 1); int8_t n = (int8_t)((uint8_t)v + (uint8_t)delta); memcpy(at, &n, 1); return v; }
    case 2: { int16_t v; memcpy(&v, at, 2); int16_t n = (int16_t)((uint16_t)v + (uint16_t)delta); memcpy(at, &n, 2); return v; }
    case 4: { int32_t v; memcpy(&v, at, 4); int32_t n = (int32_t)((uint32_t)v + (uint32_t)delta); memcpy(at, &n, 4); return v; }
    default: { int64_t v; memcpy(&v, at, 8); int64_t n = (int64_t)((uint64_t)v + (uint64_t)delta); memcpy(at, &n, 8); return v; }
    }
}

int mapsync_hash_add(struct mapsync_map *m, const void *key, uint32_t field_offset, uint32_t field_size, int64_t delta,
                     int64_t *previous, long timeout_ms) {
    int rc = check_hash(m, true);
    if (rc != 0) return rc;
    if ((field_size != 1 && field_size != 2 && field_size != 4 && field_size != 8)
        || (uint64_t)field_offset + field_size > m->value_size) {
        return mapsync__fail(m, EINVAL, "no %u-byte integer at offset %u of map %s's %u-byte values", field_size,
                             field_offset, m->name, m->value_size);
    }
    if (mapsync__kernel_hash(m)) return mapsync__bpf_hash_add(m, key, field_offset, field_size, delta, previous, timeout_ms);
    uint8_t *value = calloc(1, m->value_size);
    if (value == NULL) return mapsync__fail(m, ENOMEM, "out of memory");
    struct place p = place_of(m, key);
    bool took;
    if ((rc = begin(m, &p, timeout_ms, &took)) != 0) {
        free(value);
        return rc;
    }
    int64_t found = probe(m, &p, key, NULL);
    if (found < -1) {
        rc = bad_meta(m, &p, found, NULL);
        end(m, &p, took);
        free(value);
        return rc;
    }
    /* the lock is held: no writer changes the slot while it is copied; an absent key starts from zeros, as in Java */
    if (found >= 0) copy_out(value, slot_at(m, p.seg, (uint32_t)found) + KEY + m->hash.key_stride, m->value_size);
    int64_t before = mapsync__add_in_place(value + field_offset, field_size, delta);
    uint32_t slot;
    rc = write_locked(m, &p, key, found, value, &slot);
    if (rc == 0) {
        if (previous != NULL) *previous = before;
        mapsync__record_keyed(m, p.g * m->hash.slots + slot, MAPSYNC_CHANGE_ATOMIC, key);
    }
    end(m, &p, took);
    free(value);
    return rc;
}

int mapsync_hash_remove(struct mapsync_map *m, const void *key, long timeout_ms) {
    int rc = check_hash(m, true);
    if (rc != 0) return rc;
    if (mapsync__kernel_hash(m)) return mapsync__bpf_hash_remove(m, key, timeout_ms);
    struct place p = place_of(m, key);
    bool took;
    if ((rc = begin(m, &p, timeout_ms, &took)) != 0) return rc;
    int64_t found = probe(m, &p, key, NULL);
    uint32_t count;
    if (found < -1) {
        rc = bad_meta(m, &p, found, NULL);
    } else if (found < 0) {
        rc = mapsync__fail(m, ENOENT, "no such key in map %s", m->name);
    } else if ((rc = live_count(m, p.g, &count)) == 0) {
        uint8_t *at = slot_at(m, p.seg, (uint32_t)found);
        window_open(m, p.seg, p.g, found, load(u32(at, META)), -1, 0, false);
        store(u32(at, META), TOMBSTONE);
        __atomic_store_n(count_word(m, p.g), count - 1, __ATOMIC_RELAXED);
        add_tombstones(p.seg, 1);
        window_close(p.seg);
        __atomic_fetch_sub(hint_word(m), 1, __ATOMIC_SEQ_CST);
        int shifted = shift_from(m, p.seg, p.g, (uint32_t)found);
        if (shifted < 0) rc = shifted;
        mapsync__record_keyed(m, p.g * m->hash.slots + (uint32_t)found, MAPSYNC_CHANGE_REMOVE, key);
    }
    end(m, &p, took);
    return rc;
}

/* ----------------------------------------------------------------------------------------------- iterating */

int mapsync_hash_iter_begin(struct mapsync_map *m, struct mapsync_hash_iter *it) {
    memset(it, 0, sizeof *it);
    int rc = check_hash(m, false);
    if (rc != 0) return rc;
    if (mapsync__kernel_hash(m)) return mapsync__bpf_hash_iter_begin(m, it);
    it->copy = malloc(m->hash.segment_size);
    if (it->copy == NULL) return mapsync__fail(m, ENOMEM, "out of memory for a segment of %llu bytes", (unsigned long long)m->hash.segment_size);
    it->map = m;
    it->segment = UINT32_MAX; /* before the first */
    it->slot = m->hash.slots;
    return 0;
}

/* Copies segment g whole between two equal loads of its seq, and undoes an open window in the copy. */
static int snapshot(struct mapsync_hash_iter *it, uint32_t g, long timeout_ms) {
    struct mapsync_map *m = it->map;
    uint8_t *seg = m->data + m->hash.segments_offset + g * m->hash.segment_size;
    uint64_t start = 0;
    for (int attempt = 0;; attempt++) {
        uint32_t s1 = __atomic_load_n(u32(seg, S_SEQ), __ATOMIC_ACQUIRE);
        copy_out(it->copy, seg, (uint32_t)m->hash.segment_size);
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if (__atomic_load_n(u32(seg, S_SEQ), __ATOMIC_RELAXED) == s1) {
            if ((s1 & 1) == 0) return 0;
            struct journal j = read_journal(it->copy);
            const char *problem = journal_problem(&j, s1, m->hash.slots);
            if (problem != NULL) return corrupt_window(m, g, s1, problem);
            if (j.a >= 0) {
                uint8_t *a = slot_at(m, it->copy, (uint32_t)j.a);
                if (j.flags & J_IMAGE) memcpy(a + KEY + m->hash.key_stride, it->copy + S_IMAGE, m->value_size);
                memcpy(a + META, &j.a_meta, 4);
            }
            if (j.b >= 0) memcpy(slot_at(m, it->copy, (uint32_t)j.b) + META, &j.b_meta, 4);
            return 0;
        }
        int rc = back_off(m, attempt, &start, timeout_ms, g);
        if (rc != 0) return rc;
    }
}

int mapsync_hash_next(struct mapsync_hash_iter *it, void *key, void *value) {
    if (it->map == NULL) return -EBADF;
    struct mapsync_map *m = it->map;
    if (mapsync__kernel_hash(m)) return mapsync__bpf_hash_next(it, key, value);
    for (;;) {
        while (it->slot < m->hash.slots) {
            uint8_t *at = slot_at(m, it->copy, it->slot++);
            uint32_t meta;
            memcpy(&meta, at + META, 4);
            if (meta == EMPTY || meta == TOMBSTONE) continue;
            if (!is_meta(meta)) return corrupt_meta(m, it->segment, it->slot - 1, meta);
            memcpy(key, at + KEY, m->key_size);
            memcpy(value, at + KEY + m->hash.key_stride, m->value_size);
            return 1;
        }
        if (it->segment + 1 >= m->lock_stripes) return 0;
        it->segment++;
        int rc = snapshot(it, it->segment, 10000);
        if (rc != 0) return rc;
        it->slot = 0;
    }
}

void mapsync_hash_iter_end(struct mapsync_hash_iter *it) {
    if (it->map != NULL && mapsync__kernel_hash(it->map)) mapsync__bpf_hash_iter_end(it);
    free(it->copy);
    it->copy = NULL;
    it->map = NULL;
}
