/*
 * lock.c: entry locks, the map-wide lock and their repair after a dead owner (FORMAT.md §4.2). Uncontended, a lock
 * is one compare-and-swap of the word from 0 to the handle's token and an unlock one exchange back to 0. A waiter
 * spins briefly, then sets the waiters bit and sleeps in FUTEX_WAIT for at most a slice, so that it asks the kernel
 * whether the owner lives at least once a slice; a dead owner's lock is taken over with a CAS.
 */
#include "internal.h"

#include <stdio.h>

#define SPINS 100

struct mapsync_lock *mapsync__stripe(const struct mapsync_map *m, uint32_t stripe) {
    return &m->locks[stripe];
}

struct mapsync_lock *mapsync__map_record(const struct mapsync_map *m) {
    return (struct mapsync_lock *)(m->control + MAPSYNC_MAP_LOCK_OFFSET);
}

bool mapsync__guards(const struct mapsync_map *m, const struct mapsync_lock *rec, uint32_t index) {
    return m->locks != NULL && index < m->entries && &m->locks[mapsync__stripe_of(m, index)] == rec;
}

bool mapsync__held(const struct mapsync_map *m, const struct mapsync_lock *rec) {
    return m->token != 0 && (__atomic_load_n(&rec->word, __ATOMIC_ACQUIRE) & MAPSYNC_TOKEN_MASK) == m->token
           && __atomic_load_n(&rec->thread, __ATOMIC_RELAXED) == mapsync__tid();
}

void mapsync__end_window(struct mapsync_lock *rec, uint32_t even) {
    uint32_t writing = __atomic_load_n(&rec->torn[0], __ATOMIC_RELAXED) != 0 ? MAPSYNC_ALL_TORN : 0;
    __atomic_store_n(mapsync__seq_word(rec), (uint64_t)writing << 32 | even, __ATOMIC_RELEASE);
}

/* Marks entry `plus_one - 1` torn in the first free slot; more than four torn entries mark the whole stripe. The
 * whole-stripe mark counts only in the first slot: in another, where no writer puts it, it names nothing (free). */
static void mark_torn(struct mapsync_lock *rec, uint32_t plus_one) {
    for (int i = 0; i < 4; i++) {
        uint32_t v = __atomic_load_n(&rec->torn[i], __ATOMIC_RELAXED);
        if (v == plus_one || (v == MAPSYNC_ALL_TORN && i == 0)) return;
        if (v == 0 || v == MAPSYNC_ALL_TORN) {
            __atomic_store_n(&rec->torn[i], plus_one, __ATOMIC_RELEASE);
            return;
        }
    }
    __atomic_store_n(&rec->torn[0], MAPSYNC_ALL_TORN, __ATOMIC_RELEASE);
}

/*
 * Called by every new owner: an odd sequence is a write left unfinished (its writer died, or faulted and let go).
 * Marks the entry `writing` names torn (every entry of the stripe when it names none) and closes the window.
 * True if there was such a write.
 */
static bool repair_dead_write(struct mapsync_map *m, struct mapsync_lock *rec) {
    uint64_t word = __atomic_load_n(mapsync__seq_word(rec), __ATOMIC_ACQUIRE);
    if ((word & 1) == 0) return false;
    uint32_t writing = (uint32_t)(word >> 32);
    bool map_record = rec == mapsync__map_record(m);
    if (!map_record && !mapsync__guards(m, rec, writing - 1)) __atomic_store_n(&rec->torn[0], MAPSYNC_ALL_TORN, __ATOMIC_RELEASE);
    else if (!map_record) mark_torn(rec, writing);
    mapsync__end_window(rec, (uint32_t)word + 1);
    return true;
}

/* The owner fields; the thread is the kernel thread id, which re-entry is judged by (FORMAT.md §4.2). */
static void stamp_owner(struct mapsync_lock *rec) {
    __atomic_store_n(&rec->owner_pid, mapsync__self()->pid, __ATOMIC_RELAXED);
    __atomic_store_n(&rec->thread, mapsync__tid(), __ATOMIC_RELAXED);
}

static void describe(const struct mapsync_map *m, const struct mapsync_lock *rec, int64_t index, char *out, size_t size) {
    if (rec == mapsync__map_record(m)) snprintf(out, size, "the map-wide lock of map %s", m->name);
    else if (index < 0) snprintf(out, size, "the lock of stripe %ld of map %s", (long)(rec - m->locks), m->name);
    else snprintf(out, size, "the lock of entry %lld of map %s", (long long)index, m->name);
}

/* -EDEADLK if the calling thread holds the lock already, through this handle or another of this process. */
static int check_reentry(struct mapsync_map *m, struct mapsync_lock *rec, int64_t index) {
    uint32_t w = __atomic_load_n(&rec->word, __ATOMIC_ACQUIRE);
    if (w == 0 || __atomic_load_n(&rec->thread, __ATOMIC_RELAXED) != mapsync__tid()) return 0;
    uint32_t owner = w & MAPSYNC_TOKEN_MASK;
    /* a thread id alone would take a dead owner for us once we sit in its slot: the token must be current and its
     * slot must name this very process */
    bool mine = owner == m->token;
    if (!mine && mapsync__token_current(m, owner)) {
        const struct mapsync_slot *s = mapsync__slot(m, owner & MAPSYNC_SLOT_MASK);
        const struct mapsync__proc *self = mapsync__self();
        mine = __atomic_load_n(&s->pid, __ATOMIC_ACQUIRE) == self->pid && s->pid_ns == self->pid_ns
               && s->start_time == self->start_time;
    }
    if (!mine) return 0;
    char what[400];
    describe(m, rec, index, what, sizeof what);
    return mapsync__fail(m, EDEADLK, "this thread already holds %s; locks are not reentrant, so locking it again would"
                         " deadlock", what);
}

static int timed_out(struct mapsync_map *m, struct mapsync_lock *rec, int64_t index, uint32_t owner, uint64_t waited_ns) {
    char what[400];
    describe(m, rec, index, what, sizeof what);
    uint64_t since = __atomic_load_n(&rec->since_ms, __ATOMIC_RELAXED), now = mapsync__now_ms();
    bool alive = mapsync_owner_alive(m, owner);
    char held[64] = "";
    if (since != 0) snprintf(held, sizeof held, " for at least %.1f s", since < now ? (now - since) / 1e3 : 0.0);
    return mapsync__fail(m, ETIMEDOUT, "timed out after %.1f s waiting for %s: held by pid %u (%s)%s", waited_ns / 1e9,
                         what, __atomic_load_n(&rec->owner_pid, __ATOMIC_RELAXED), alive ? "alive" : "dead", held);
}

/*
 * When a wait ends: read the clock only once a lock must be waited for (in a virtual machine a clock read can cost
 * more than an uncontended lock). Several locks taken as one share the deadline the first wait sets.
 */
struct deadline {
    uint64_t timeout_ns, at; /* at: CLOCK_MONOTONIC ns, 0 until a wait began */
};

static uint64_t deadline_at(struct deadline *d, uint64_t now) {
    if (d->at == 0) d->at = now + d->timeout_ns;
    return d->at;
}

/*
 * A waiter that slept and gives up may have taken the wake-up an unlock meant for the next sleeper, while a locker
 * that came in between took the word without the waiters bit: its unlock would wake no one. Set the bit on a held
 * word, or wake one sleeper if the word is free or changed under us.
 */
static void leave_sleepers_bit(struct mapsync_lock *rec) {
    uint32_t w = __atomic_load_n(&rec->word, __ATOMIC_SEQ_CST);
    if (w != 0 && (w & MAPSYNC_WAITERS) != 0) return;
    uint32_t marked = w | MAPSYNC_WAITERS;
    if (w != 0 && __atomic_compare_exchange_n(&rec->word, &w, marked, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
        return;
    }
    mapsync__futex_wake(&rec->word, 1);
}

/* The waiting path: sleep on the word, look at the owner after every wake, take over from a dead one. */
static int acquire_slow(struct mapsync_map *m, struct mapsync_lock *rec, int64_t index, struct deadline *d, bool *died) {
    uint32_t me = m->token, sleepers = 0; /* once we slept, others may sleep too: keep the waiters bit */
    uint64_t start = mapsync__now_ns();
    uint64_t deadline = deadline_at(d, start);
    for (;;) {
        uint32_t w = __atomic_load_n(&rec->word, __ATOMIC_SEQ_CST);
        if (w == 0) {
            if (__atomic_compare_exchange_n(&rec->word, &w, me | sleepers, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
                stamp_owner(rec);
                __atomic_store_n(&rec->since_ms, mapsync__now_ms(), __ATOMIC_RELAXED);
                *died |= repair_dead_write(m, rec);
                return 0;
            }
            /* another locker won it; a peer that keeps changing the word must not keep this wait past its deadline */
            uint64_t now = mapsync__now_ns();
            if (now >= deadline) {
                if (sleepers != 0) leave_sleepers_bit(rec);
                return timed_out(m, rec, index, w & MAPSYNC_TOKEN_MASK, now - start);
            }
            continue;
        }
        uint32_t owner = w & MAPSYNC_TOKEN_MASK; /* bit 30 is no part of the owner */
        if (owner != me && !mapsync_owner_alive(m, owner)) {
            if (__atomic_compare_exchange_n(&rec->word, &w, me | sleepers | (w & MAPSYNC_WAITERS), false,
                                            __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
                repair_dead_write(m, rec);
                __atomic_store_n(&rec->recovered, 1, __ATOMIC_RELAXED);
                stamp_owner(rec);
                __atomic_store_n(&rec->since_ms, mapsync__now_ms(), __ATOMIC_RELAXED);
                *died = true;
                return 0;
            }
            /* the word changed (w now holds it): on to the deadline, then round again; a free word is tried at once */
            if (w == 0) continue;
            owner = w & MAPSYNC_TOKEN_MASK;
        }
        /* an uncontended owner records no time: the first waiter fills it in, so that a timeout can say how long */
        uint64_t zero = 0;
        __atomic_compare_exchange_n(&rec->since_ms, &zero, mapsync__now_ms(), false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
        uint64_t now = mapsync__now_ns();
        if (now >= deadline) {
            if (sleepers != 0) leave_sleepers_bit(rec);
            return timed_out(m, rec, index, owner, now - start);
        }
        if ((w & MAPSYNC_WAITERS) == 0) {
            uint32_t marked = w | MAPSYNC_WAITERS;
            if (!__atomic_compare_exchange_n(&rec->word, &w, marked, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) continue;
            w = marked;
        }
        sleepers = MAPSYNC_WAITERS;
        uint64_t left = deadline - now;
        mapsync__futex_wait(&rec->word, w, left < MAPSYNC_SLICE_NS ? left : MAPSYNC_SLICE_NS);
    }
}

/* Takes the lock of `rec` by the deadline; ORs into *died whether its previous owner died. */
static int acquire(struct mapsync_map *m, struct mapsync_lock *rec, int64_t index, struct deadline *d, bool *died) {
    if (m->token == 0) return mapsync__fail(m, EBADF, "map %s is open read-only; it cannot take locks", m->name);
    uint32_t me = m->token;
    for (int i = 0; i <= SPINS; i++) {
        uint32_t w = __atomic_load_n(&rec->word, __ATOMIC_RELAXED);
        if (w == 0 && __atomic_compare_exchange_n(&rec->word, &w, me, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {
            stamp_owner(rec);
            *died |= repair_dead_write(m, rec);
            return 0;
        }
        if (i == 0) {
            int rc = check_reentry(m, rec, index);
            if (rc != 0) return rc;
        }
        mapsync__pause();
    }
    return acquire_slow(m, rec, index, d, died);
}

/* Clears the owner fields, frees the word, and wakes one sleeper if the word says any sleeps. */
static void release(struct mapsync_lock *rec) {
    __atomic_store_n(&rec->thread, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&rec->owner_pid, 0, __ATOMIC_RELAXED);
    if (__atomic_load_n(&rec->since_ms, __ATOMIC_RELAXED) != 0) __atomic_store_n(&rec->since_ms, 0, __ATOMIC_RELAXED);
    if (__atomic_load_n(&rec->recovered, __ATOMIC_RELAXED) != 0) __atomic_store_n(&rec->recovered, 0, __ATOMIC_RELAXED);
    uint32_t old = __atomic_exchange_n(&rec->word, 0, __ATOMIC_SEQ_CST);
    if (old & MAPSYNC_WAITERS) mapsync__futex_wake(&rec->word, 1);
}

static struct deadline deadline_of(long timeout_ms) {
    struct deadline d = {timeout_ms > 0 ? (uint64_t)timeout_ms * 1000000u : 0, 0};
    return d;
}

static int check_index(struct mapsync_map *m, uint32_t index) {
    if (m->locks == NULL) return mapsync__fail(m, EMEDIUMTYPE, "map %s has no entry locks", m->name);
    if (index >= m->entries) return mapsync__fail(m, ERANGE, "index %u out of range for map %s (0..%u)", index, m->name, m->entries - 1);
    return 0;
}

int mapsync_lock(struct mapsync_map *m, uint32_t index, long timeout_ms, bool *previous_owner_died) {
    int rc = check_index(m, index);
    if (rc != 0) return rc;
    bool died = false;
    struct deadline d = deadline_of(timeout_ms);
    rc = acquire(m, &m->locks[mapsync__stripe_of(m, index)], index, &d, &died);
    if (previous_owner_died != NULL) *previous_owner_died = rc == 0 && died;
    return rc;
}

static int release_held(struct mapsync_map *m, struct mapsync_lock *rec, int64_t index) {
    if (!mapsync__held(m, rec)) {
        char what[400];
        describe(m, rec, index, what, sizeof what);
        return mapsync__fail(m, ENOLCK, "this thread does not hold %s", what);
    }
    release(rec);
    return 0;
}

int mapsync_unlock(struct mapsync_map *m, uint32_t index) {
    int rc = check_index(m, index);
    return rc != 0 ? rc : release_held(m, &m->locks[mapsync__stripe_of(m, index)], index);
}

static int ascending(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* The distinct stripes of `indexes`, ascending, into a new array; -ERANGE/-ENOMEM. */
static int stripes_of(struct mapsync_map *m, const uint32_t *indexes, size_t n, uint32_t **out, size_t *count) {
    if (n == 0) return mapsync__fail(m, EINVAL, "no entries to lock");
    uint32_t *stripes = malloc(n * sizeof *stripes);
    if (stripes == NULL) return mapsync__fail(m, ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        int rc = check_index(m, indexes[i]);
        if (rc != 0) {
            free(stripes);
            return rc;
        }
        stripes[i] = mapsync__stripe_of(m, indexes[i]);
    }
    qsort(stripes, n, sizeof *stripes, ascending);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) if (k == 0 || stripes[k - 1] != stripes[i]) stripes[k++] = stripes[i];
    *out = stripes;
    *count = k;
    return 0;
}

int mapsync_lock_many(struct mapsync_map *m, const uint32_t *indexes, size_t n, long timeout_ms, bool *previous_owner_died) {
    uint32_t *stripes;
    size_t k;
    int rc = stripes_of(m, indexes, n, &stripes, &k);
    if (rc != 0) return rc;
    struct deadline d = deadline_of(timeout_ms);
    bool died = false;
    size_t taken = 0;
    for (; taken < k; taken++) {
        rc = acquire(m, &m->locks[stripes[taken]], -1, &d, &died);
        if (rc != 0) break;
    }
    if (rc != 0) {
        while (taken > 0) release(&m->locks[stripes[--taken]]); /* none is kept */
    }
    free(stripes);
    if (previous_owner_died != NULL) *previous_owner_died = rc == 0 && died;
    return rc;
}

int mapsync_unlock_many(struct mapsync_map *m, const uint32_t *indexes, size_t n) {
    uint32_t *stripes;
    size_t k;
    int rc = stripes_of(m, indexes, n, &stripes, &k);
    if (rc != 0) return rc;
    for (size_t i = k; i > 0; i--) {
        int r = release_held(m, &m->locks[stripes[i - 1]], -1);
        if (rc == 0) rc = r;
    }
    free(stripes);
    return rc;
}

int mapsync_lock_map(struct mapsync_map *m, long timeout_ms, bool *previous_owner_died) {
    if (m->locks == NULL) return mapsync__fail(m, EMEDIUMTYPE, "map %s has no map-wide lock", m->name);
    bool died = false;
    struct deadline d = deadline_of(timeout_ms);
    int rc = acquire(m, mapsync__map_record(m), -1, &d, &died);
    if (previous_owner_died != NULL) *previous_owner_died = rc == 0 && died;
    return rc;
}

int mapsync_unlock_map(struct mapsync_map *m) {
    if (m->locks == NULL) return mapsync__fail(m, EMEDIUMTYPE, "map %s has no map-wide lock", m->name);
    return release_held(m, mapsync__map_record(m), -1);
}

bool mapsync_holds(const struct mapsync_map *m, uint32_t index) {
    return m->locks != NULL && index < m->entries && mapsync__held(m, &m->locks[mapsync__stripe_of(m, index)]);
}

int mapsync__lock_stripe(struct mapsync_map *m, uint32_t stripe, long timeout_ms, bool *previous_owner_died) {
    bool died = false;
    struct deadline d = deadline_of(timeout_ms);
    int rc = acquire(m, &m->locks[stripe], -1, &d, &died);
    if (previous_owner_died != NULL) *previous_owner_died = rc == 0 && died;
    return rc;
}

void mapsync__unlock_stripe(struct mapsync_map *m, uint32_t stripe) {
    release(&m->locks[stripe]);
}
