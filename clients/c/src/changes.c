/*
 * changes.c: change notifications (FORMAT.md §4.3). A writer appends to the changelog while anyone subscribes and
 * wakes sleepers on the head; a cursor subscribes, reads the changes in sequence order, turns the ones the log no
 * longer holds into counts of missed changes, and sleeps on the head's low word when there are none.
 */
#include "internal.h"

#include <limits.h>

/* Event block words (control offset 64) and a changelog entry's fields. */
#define HEAD_OFFSET 0
#define E_SEQ 0
#define E_KEY 8
#define E_PID 12
#define E_KIND 16
/* How long a pass over the log waits for changes reserved but not yet published before counting them missed. */
#define PUBLISH_WAIT_NS 1000000000ull
#define REPAIR_TRIES 64 /* compare-and-sets a repair of the subscriber count tries before it leaves it to the next */
#define MAX_SUBSCRIBERS (MAPSYNC_SLOT_COUNT << 20)

static uint64_t *head_word(const struct mapsync_map *m) {
    return (uint64_t *)(m->control + MAPSYNC_EVENT_BLOCK_OFFSET + HEAD_OFFSET);
}

static uint32_t *waiters_word(const struct mapsync_map *m) {
    return (uint32_t *)(m->control + MAPSYNC_EVENT_BLOCK_OFFSET + 8);
}

static uint32_t *subscribers_word(const struct mapsync_map *m) {
    return (uint32_t *)(m->control + MAPSYNC_EVENT_BLOCK_OFFSET + 12);
}

/* Changes subscribers were told they missed, summed over every subscription: for monitoring only. */
static uint64_t *missed_word(const struct mapsync_map *m) {
    return (uint64_t *)(m->control + MAPSYNC_EVENT_BLOCK_OFFSET + 16);
}

static uint64_t changelog_offset(const struct mapsync_map *m) {
    return MAPSYNC_STRIPES_OFFSET + (uint64_t)m->lock_stripes * 64;
}

static uint64_t *slot_counter(const struct mapsync_map *m, uint32_t slot) {
    return (uint64_t *)(m->control + changelog_offset(m) + (uint64_t)m->header->changelog_capacity * 32 + 8ull * slot);
}

static uint8_t *entry_of(const struct mapsync_map *m, uint64_t seq) {
    return m->control + changelog_offset(m) + ((seq - 1) & (m->header->changelog_capacity - 1)) * 32;
}

static bool has_changelog(const struct mapsync_map *m) {
    return m->map_type == MAPSYNC_TYPE_ARRAY || m->map_type == MAPSYNC_TYPE_HASH;
}

/* Appends a change; a hash map's key bytes go to the change's key slot, read between two reads of its seq. */
static void append(struct mapsync_map *m, uint32_t key, uint32_t kind, const void *key_bytes) {
    uint64_t seq = __atomic_add_fetch(head_word(m), 1, __ATOMIC_SEQ_CST);
    uint8_t *e = entry_of(m, seq);
    if (key_bytes != NULL) {
        uint64_t stride = m->hash.key_stride, capacity = m->header->changelog_capacity;
        uint8_t *to = m->control + changelog_offset(m) + capacity * 32 + MAPSYNC_SLOT_COUNT * 8 + ((seq - 1) & (capacity - 1)) * stride;
        for (uint64_t i = 0; i < stride; i += 8) {
            uint64_t w = 0;
            if (i < m->key_size) memcpy(&w, (const uint8_t *)key_bytes + i, m->key_size - i < 8 ? m->key_size - i : 8);
            __atomic_store_n((uint64_t *)(to + i), w, __ATOMIC_RELAXED);
        }
    }
    __atomic_store_n((uint32_t *)(e + E_KEY), key, __ATOMIC_RELAXED);
    __atomic_store_n((uint32_t *)(e + E_PID), mapsync__self()->pid, __ATOMIC_RELAXED);
    __atomic_store_n((uint32_t *)(e + E_KIND), kind, __ATOMIC_RELAXED);
    __atomic_store_n((uint64_t *)(e + E_SEQ), seq, __ATOMIC_RELEASE); /* last: a reader trusts the fields once it sees it */
    if (__atomic_load_n(waiters_word(m), __ATOMIC_SEQ_CST) != 0) mapsync__futex_wake((uint32_t *)head_word(m), INT_MAX);
}

int mapsync_record_change(struct mapsync_map *m, uint32_t key, uint32_t kind) {
    if (m->map_type != MAPSYNC_TYPE_ARRAY) return mapsync__fail(m, EMEDIUMTYPE, "map %s is not an array", m->name);
    if (m->read_only) return mapsync__fail(m, EBADF, "map %s is open read-only; it cannot record changes", m->name);
    /* writers record only while anyone subscribes: one load on the path of every write */
    if (__atomic_load_n(subscribers_word(m), __ATOMIC_RELAXED) != 0) append(m, key, kind, NULL);
    return 0;
}

void mapsync__record_keyed(struct mapsync_map *m, uint32_t slot, uint32_t kind, const void *key) {
    if (__atomic_load_n(subscribers_word(m), __ATOMIC_RELAXED) != 0) append(m, slot, kind, key);
}

/* Takes the counts of every slot whose holder is gone out of the totals (FORMAT.md §4.3). */
static void sweep_dead_slots(struct mapsync_map *m) {
    uint32_t own = m->token & MAPSYNC_SLOT_MASK;
    for (uint32_t s = 0; s < MAPSYNC_SLOT_COUNT; s++) {
        if (s == own) continue;
        uint64_t *counter = slot_counter(m, s);
        uint64_t c = __atomic_load_n(counter, __ATOMIC_ACQUIRE);
        if (c == 0) continue;
        struct flock f = {.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = MAPSYNC_OFD_BASE + s, .l_len = 1};
        if (fcntl(m->lock_fd, F_OFD_GETLK, &f) != 0 || f.l_type != F_UNLCK) continue; /* held, or cannot tell */
        if (!__atomic_compare_exchange_n(counter, &c, 0, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) continue;
        if ((uint32_t)c != 0) __atomic_fetch_sub(subscribers_word(m), (uint32_t)c, __ATOMIC_SEQ_CST);
        if ((uint32_t)(c >> 32) != 0) __atomic_fetch_sub(waiters_word(m), (uint32_t)(c >> 32), __ATOMIC_SEQ_CST);
    }
}

/*
 * A count no set of subscriptions gives (below `at_least`, or 2^30 or more) is set to the subscriptions the counters
 * of this slot and of every live slot hold. A plausible count is never changed: another subscription may be between
 * its two increments.
 */
static void repair_subscribers(struct mapsync_map *m, int32_t at_least) {
    /* a few tries: each sums every slot's counter, and the count is repaired again where it is next found wrong */
    for (int tries = 0; tries < REPAIR_TRIES; tries++) {
        int32_t seen = (int32_t)__atomic_load_n(subscribers_word(m), __ATOMIC_ACQUIRE);
        if (seen >= at_least && seen < MAX_SUBSCRIBERS) return;
        int64_t live = 0;
        for (uint32_t s = 0; s < MAPSYNC_SLOT_COUNT; s++) {
            uint32_t subs = (uint32_t)__atomic_load_n(slot_counter(m, s), __ATOMIC_ACQUIRE);
            if (subs == 0) continue;
            struct flock f = {.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = MAPSYNC_OFD_BASE + s, .l_len = 1};
            bool own = s == (m->token & MAPSYNC_SLOT_MASK);
            if (own || (fcntl(m->lock_fd, F_OFD_GETLK, &f) == 0 && f.l_type != F_UNLCK)) live += subs < (1u << 20) ? subs : (1u << 20);
        }
        int32_t repaired = (int32_t)(live > at_least ? live : at_least);
        uint32_t expected = (uint32_t)seen;
        if (__atomic_compare_exchange_n(subscribers_word(m), &expected, (uint32_t)repaired, false, __ATOMIC_SEQ_CST,
                                        __ATOMIC_SEQ_CST)) return;
    }
}

int mapsync_subscribe(struct mapsync_map *m, struct mapsync_cursor *c) {
    memset(c, 0, sizeof *c);
    if (!has_changelog(m)) return mapsync__fail(m, EMEDIUMTYPE, "map %s has no changelog", m->name);
    if (m->token == 0) {
        return mapsync__fail(m, EBADF, "map %s is open read-only; subscribing registers in the map, so open it read-write",
                             m->name);
    }
    sweep_dead_slots(m);
    __atomic_fetch_add(slot_counter(m, m->token & MAPSYNC_SLOT_MASK), 1, __ATOMIC_SEQ_CST);
    int32_t n = (int32_t)__atomic_add_fetch(subscribers_word(m), 1, __ATOMIC_SEQ_CST);
    if (n < 1 || n >= MAX_SUBSCRIBERS) repair_subscribers(m, 1);
    /* one past the head, checked: a head a peer moved back would hand out changes published long ago as new ones. A
     * writer moves the head before it publishes, so no change lies published past the head, and it is below 2^63 */
    c->map = m;
    c->open = true;
    for (int rc = 0, tries = 0;; tries++) {
        uint64_t head = __atomic_load_n(head_word(m), __ATOMIC_SEQ_CST);
        if (tries == MAPSYNC_CAS_TRIES) {
            rc = mapsync__fail(m, EBADMSG, "map %s is corrupt: its change log's head moved under each of %d looks past a"
                               " change published beyond it (a peer that keeps writing them)", m->name, MAPSYNC_CAS_TRIES);
        } else if (head > INT64_MAX) {
            rc = mapsync__fail(m, EBADMSG, "map %s is corrupt: its change log's head is %lld", m->name, (long long)head);
        } else if (__atomic_load_n((uint64_t *)(entry_of(m, head + 1) + E_SEQ), __ATOMIC_ACQUIRE) < head + 1) {
            c->next = head + 1;
            return 0;
        } else if (__atomic_load_n(head_word(m), __ATOMIC_SEQ_CST) == head) { /* else a writer published it since */
            rc = mapsync__fail(m, EBADMSG, "map %s is corrupt: its change log holds change %llu, published, past its head"
                               " %llu", m->name, (unsigned long long)head + 1, (unsigned long long)head);
        }
        if (rc != 0) {
            mapsync_unsubscribe(c); /* the refused subscription counts for no one */
            return rc;
        }
    }
}

void mapsync_unsubscribe(struct mapsync_cursor *c) {
    if (!c->open || c->map->control == NULL) return;
    struct mapsync_map *m = c->map;
    int32_t n = (int32_t)__atomic_sub_fetch(subscribers_word(m), 1, __ATOMIC_SEQ_CST);
    __atomic_fetch_sub(slot_counter(m, m->token & MAPSYNC_SLOT_MASK), 1, __ATOMIC_SEQ_CST);
    if (n < 0 || n >= MAX_SUBSCRIBERS) repair_subscribers(m, 0);
    c->open = false;
}

/* The sequence number the entry of change `seq` holds (acquire): `seq` once it is published, more once overwritten. */
static uint64_t entry_seq(struct mapsync_map *m, uint64_t seq) {
    return __atomic_load_n((uint64_t *)(entry_of(m, seq) + E_SEQ), __ATOMIC_ACQUIRE);
}

/*
 * Reads change `seq` into *out, waiting until wait_until (CLOCK_MONOTONIC ns) if its writer reserved it but has not
 * published it: 1 read, 0 no longer in the log (missed), -EBADMSG for an array change naming no entry of the map.
 */
static int read_change(struct mapsync_cursor *c, uint64_t seq, uint64_t wait_until, struct mapsync_change *out, uint8_t *key) {
    struct mapsync_map *m = c->map;
    uint8_t *e = entry_of(m, seq);
    for (int spins = 0;; spins++) {
        uint64_t s = __atomic_load_n((uint64_t *)(e + E_SEQ), __ATOMIC_ACQUIRE);
        if (s == seq) break;
        if (s > seq) return 0;
        if (spins < 100) {
            mapsync__pause();
        } else {
            if (mapsync__now_ns() >= wait_until) return 0;
            mapsync__sleep_ns(50000);
        }
    }
    out->seq = seq;
    out->key = __atomic_load_n((uint32_t *)(e + E_KEY), __ATOMIC_RELAXED);
    out->pid = __atomic_load_n((uint32_t *)(e + E_PID), __ATOMIC_RELAXED);
    out->kind = __atomic_load_n((uint32_t *)(e + E_KIND), __ATOMIC_RELAXED);
    out->count = 1;
    if (key != NULL && m->map_type == MAPSYNC_TYPE_HASH) {
        /* the key's bytes beside the entry, read between the two reads of its seq like the other fields */
        uint64_t capacity = m->header->changelog_capacity;
        const uint8_t *from = m->control + changelog_offset(m) + capacity * 32 + MAPSYNC_SLOT_COUNT * 8
                              + ((seq - 1) & (capacity - 1)) * m->hash.key_stride;
        for (uint32_t i = 0; i < m->key_size; i += 8) {
            uint64_t w = __atomic_load_n((const uint64_t *)(from + i), __ATOMIC_RELAXED);
            memcpy(key + i, &w, m->key_size - i < 8 ? m->key_size - i : 8);
        }
    }
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (__atomic_load_n((uint64_t *)(e + E_SEQ), __ATOMIC_RELAXED) != seq) return 0;
    if (m->map_type == MAPSYNC_TYPE_ARRAY && out->key >= m->entries) {
        return mapsync__fail(m, EBADMSG, "map %s is corrupt: change %llu of its change log names entry %u, and it has"
                             " entries 0..%u", m->name, (unsigned long long)seq, out->key, m->entries - 1);
    }
    if (m->map_type == MAPSYNC_TYPE_HASH && (out->kind < MAPSYNC_CHANGE_WRITE || out->kind > MAPSYNC_CHANGE_REMOVE)) {
        return mapsync__fail(m, EBADMSG, "map %s is corrupt: change %llu of its change log is of kind %u", m->name,
                             (unsigned long long)seq, out->kind);
    }
    return 1;
}

/* An entry telling the reader of `count` changes missed from `from` on, added to the map's total of them (FORMAT.md §4.3). */
static void missed(struct mapsync_cursor *c, struct mapsync_change *out, uint64_t from, uint64_t count) {
    __atomic_fetch_add(missed_word(c->map), count, __ATOMIC_RELAXED);
    memset(out, 0, sizeof *out);
    out->seq = from;
    out->count = count;
    out->kind = MAPSYNC_CHANGES_MISSED;
}

/*
 * Hands out changes `next`..`head`, the ones the log lost as counts of missed changes; the number put in `out`. It
 * waits for changes reserved but not yet published until the pass's wait ends (pending_until, one wait for the pass,
 * kept across polls), or until `deadline` (the poll's) if that comes first: then it stops at such a change and sets
 * *stopped, and the next poll waits on for it.
 */
static int collect(struct mapsync_cursor *c, uint64_t head, struct mapsync_change *out, uint8_t *keys, size_t max,
                   uint64_t deadline, bool *stopped) {
    if (c->pending_until == 0) c->pending_until = mapsync__now_ns() + PUBLISH_WAIT_NS;
    uint64_t capacity = c->map->header->changelog_capacity;
    size_t n = 0;
    if (head >= capacity && c->next < head - capacity + 1) {
        missed(c, &out[n++], c->next, head - capacity + 1 - c->next);
        c->next = head - capacity + 1;
    }
    uint64_t missed_from = 0;
    while (c->next <= head && n + 2 <= max) {
        if (c->held_at != 0 && c->next > c->held_at) {
            /* the change held back came (a missed one clears held_at): its writer was slow, not gone; the changes
             * after it get a wait of their own */
            c->held_at = 0;
            c->pending_until = mapsync__now_ns() + PUBLISH_WAIT_NS;
        }
        size_t at = n + (missed_from != 0);
        uint8_t *key = keys == NULL ? NULL : keys + at * c->map->key_size;
        bool poll_ends_first = deadline < c->pending_until;
        int rc = read_change(c, c->next, poll_ends_first ? deadline : c->pending_until, &out[at], key);
        if (rc < 0) return rc;
        uint64_t seq_now = rc == 0 && poll_ends_first ? entry_seq(c->map, c->next) : 0;
        if (rc == 0 && poll_ends_first && seq_now < c->next) {
            c->held_at = c->next; /* still reserved at the poll's deadline (or published this instant): the next poll */
            *stopped = true;
            break;
        }
        if (rc == 0 && poll_ends_first && seq_now == c->next) {
            /* published since the wait gave up: read it now (0 again only if a later change overwrote it meanwhile) */
            rc = read_change(c, c->next, 0, &out[at], key);
            if (rc < 0) return rc;
        }
        if (rc == 0) {
            if (c->next == c->held_at) c->held_at = 0; /* it never came: the ones after it get no second of their own */
            if (missed_from == 0) missed_from = c->next;
            c->next++;
            continue;
        }
        if (missed_from != 0) {
            missed(c, &out[n++], missed_from, c->next - missed_from); /* the change read is already at out[n] */
            missed_from = 0;
        }
        n++;
        c->next++;
    }
    if (missed_from != 0) missed(c, &out[n++], missed_from, c->next - missed_from);
    /* a pass that went to the head, or stopped at a full buffer, is over: the next one waits a second of its own */
    if (!*stopped) c->pending_until = c->held_at = 0;
    return (int)n;
}

/* Sleeps until the head moves past `seen`: registers as a waiter first, so a writer that records after the check wakes it. */
static void await_head(struct mapsync_map *m, uint64_t seen, uint64_t timeout_ns) {
    uint64_t *counter = slot_counter(m, m->token & MAPSYNC_SLOT_MASK);
    __atomic_fetch_add(counter, 1ull << 32, __ATOMIC_SEQ_CST);
    __atomic_fetch_add(waiters_word(m), 1, __ATOMIC_SEQ_CST); /* a full fence: the re-check below cannot move above it */
    if (__atomic_load_n(head_word(m), __ATOMIC_SEQ_CST) == seen) {
        mapsync__futex_wait((uint32_t *)head_word(m), (uint32_t)seen, timeout_ns);
    }
    __atomic_fetch_sub(waiters_word(m), 1, __ATOMIC_SEQ_CST);
    __atomic_fetch_sub(counter, 1ull << 32, __ATOMIC_SEQ_CST);
}

int mapsync_poll(struct mapsync_cursor *c, struct mapsync_change *out, size_t max, long timeout_ms) {
    return mapsync_poll_keyed(c, out, NULL, max, timeout_ms);
}

int mapsync_poll_keyed(struct mapsync_cursor *c, struct mapsync_change *out, void *key_buffer, size_t max, long timeout_ms) {
    uint8_t *keys = key_buffer;
    if (!c->open) return -EBADF;
    struct mapsync_map *m = c->map;
    if (max < 2) return mapsync__fail(m, EINVAL, "mapsync_poll needs room for at least 2 changes");
    /* at most 2^62 ns (146 years): start + timeout is the poll's deadline, which must not wrap */
    uint64_t start = mapsync__now_ns(), timeout = timeout_ms <= 0 ? 0
                     : (uint64_t)timeout_ms > (1ull << 62) / 1000000u ? 1ull << 62 : (uint64_t)timeout_ms * 1000000u;
    for (;;) {
        /* the changes published one after another, without reading the head (its line stays with the writer) */
        size_t n = 0;
        while (n < max) {
            uint64_t s = __atomic_load_n((uint64_t *)(entry_of(m, c->next) + E_SEQ), __ATOMIC_ACQUIRE);
            if (s < c->next) break;
            int rc = read_change(c, c->next, 0, &out[n], keys == NULL ? NULL : keys + n * m->key_size);
            if (rc < 0) return rc;
            if (rc == 0) break;
            n++;
            c->next++;
        }
        if (n > 0) return (int)n;
        uint64_t head = __atomic_load_n(head_word(m), __ATOMIC_SEQ_CST);
        if (head < c->next - 1) {
            return mapsync__fail(m, EBADMSG, "map %s is corrupt: its change log's head went back from %llu to %llu",
                                 m->name, (unsigned long long)(c->next - 1), (unsigned long long)head);
        }
        if (head >= c->next) {
            bool stopped = false;
            int rc = collect(c, head, out, keys, max, start + timeout, &stopped);
            if (rc != 0 || stopped) return rc;
            continue;
        }
        uint64_t now = mapsync__now_ns();
        if (now - start >= timeout) return 0;
        /* a count a peer overwrote with 0 would let this sleep through every change */
        int32_t subs = (int32_t)__atomic_load_n(subscribers_word(m), __ATOMIC_RELAXED);
        if (subs < 1 || subs >= MAX_SUBSCRIBERS) repair_subscribers(m, 1);
        await_head(m, head, timeout - (now - start));
    }
}
