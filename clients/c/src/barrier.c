/*
 * barrier.c: barriers (FORMAT.md §9): a process takes a seat, arrives by counting itself into the state word (the last
 * party trips the generation), and waits on the wake word, looking at the other seats every slice so that a party
 * that died breaks the generation instead of leaving everyone to their timeouts.
 */
#include "internal.h"

#include <limits.h>

#define STATE 33024
#define WAKE 33152
#define BROKEN_GENERATION 33280
#define BROKEN_WHY (BROKEN_GENERATION + 4)
#define BROKEN_PID (BROKEN_GENERATION + 8)
#define BROKEN_AT (BROKEN_GENERATION + 16)
#define BROKEN_WAITING (BROKEN_GENERATION + 24)
#define LAST_TRIPPED (BROKEN_GENERATION + 28)
#define SEATS 33408
#define BROKEN_BIT (1ull << 31)
#define TRIPPED_BIT (1ull << 30)
#define COUNT_MASK (TRIPPED_BIT - 1)
#define WHY_DIED 1
#define WHY_TIMED_OUT 2
#define WHY_RESET 3
#define SLICE_NS 100000000ull
#define SPINS 200

static uint32_t *word32(const struct mapsync_map *m, uint64_t offset) {
    return (uint32_t *)(m->control + offset);
}

static uint64_t *state_word(const struct mapsync_map *m) {
    return (uint64_t *)(m->control + STATE);
}

static uint32_t *seat_word(const struct mapsync_map *m, uint32_t i) {
    return word32(m, SEATS + 16ull * i);
}

static uint32_t generation_of(uint64_t s) { return (uint32_t)(s >> 32); }
static uint32_t arrived_of(uint64_t s) { return (uint32_t)(s & COUNT_MASK); }
static bool broken_state(uint64_t s) { return (s & BROKEN_BIT) != 0; }

static int corrupt_state(struct mapsync_map *m, uint64_t s) {
    if (arrived_of(s) < m->entries) return 0;
    return mapsync__fail(m, EBADMSG, "barrier %s is corrupt: %u parties arrived at generation %u, and it has %u", m->name,
                         arrived_of(s), generation_of(s), m->entries);
}

/* A seat holds 0 or an owner token (30 bits, a generation that is not 0). */
static int checked_seat(struct mapsync_map *m, uint32_t i, uint32_t *token) {
    uint32_t t = __atomic_load_n(seat_word(m, i), __ATOMIC_ACQUIRE);
    if (t != 0 && ((t & ~MAPSYNC_TOKEN_MASK) != 0 || (t >> 10) == 0)) {
        return mapsync__fail(m, EBADMSG, "barrier %s is corrupt: seat %u holds %u, which is no owner token", m->name, i, t);
    }
    *token = t;
    return 0;
}

static void wake_all(struct mapsync_map *m) {
    __atomic_fetch_add(word32(m, WAKE), 1, __ATOMIC_SEQ_CST);
    mapsync__futex_wake(word32(m, WAKE), INT_MAX);
}

static void write_break_record(struct mapsync_map *m, uint32_t generation, uint32_t why, uint32_t pid, uint32_t waiting) {
    __atomic_store_n(word32(m, BROKEN_WHY), why, __ATOMIC_RELAXED);
    __atomic_store_n(word32(m, BROKEN_PID), pid, __ATOMIC_RELAXED);
    __atomic_store_n(word32(m, BROKEN_WAITING), waiting, __ATOMIC_RELAXED);
    __atomic_store_n((uint64_t *)(m->control + BROKEN_AT), mapsync__now_ms(), __ATOMIC_RELAXED);
    __atomic_store_n(word32(m, BROKEN_GENERATION), generation, __ATOMIC_RELEASE);
}

static int churned(struct mapsync_map *m);

/* Breaks generation `generation` if it still runs unbroken: 1 if this call broke it, 0 if not, -EBADMSG (churned). */
static int break_barrier(struct mapsync_map *m, uint32_t generation, uint32_t why, uint32_t pid) {
    for (int tries = 0; tries < MAPSYNC_CAS_TRIES; tries++) {
        uint64_t s = __atomic_load_n(state_word(m), __ATOMIC_SEQ_CST);
        if (generation_of(s) != generation || broken_state(s)) return 0;
        write_break_record(m, generation, why, pid, arrived_of(s));
        if (__atomic_compare_exchange_n(state_word(m), &s, s | BROKEN_BIT, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
            wake_all(m);
            return 1;
        }
    }
    return churned(m);
}

/* -EBADMSG: the state word changed under every one of MAPSYNC_CAS_TRIES compare-and-sets in a row. */
static int churned(struct mapsync_map *m) {
    return mapsync__fail(m, EBADMSG, "barrier %s is corrupt: its state word changed under each of %d compare-and-sets in"
                         " a row (a peer that keeps writing it)", m->name, MAPSYNC_CAS_TRIES);
}

/* -EPIPE with the break record's reason. */
static int broken(struct mapsync_map *m, uint32_t generation) {
    static const char *whys[] = {"it was broken", "party pid %u died (or closed the barrier)", "party pid %u timed out",
                                 "it was reset by pid %u", "party pid %u was interrupted"};
    uint32_t why = 0, pid = 0, waiting = 0;
    if (__atomic_load_n(word32(m, BROKEN_GENERATION), __ATOMIC_ACQUIRE) == generation) {
        why = __atomic_load_n(word32(m, BROKEN_WHY), __ATOMIC_RELAXED);
        pid = __atomic_load_n(word32(m, BROKEN_PID), __ATOMIC_RELAXED);
        waiting = __atomic_load_n(word32(m, BROKEN_WAITING), __ATOMIC_RELAXED);
        if (why > 4) why = 0;
    }
    char reason[128];
    snprintf(reason, sizeof reason, whys[why], pid);
    if (why == 0) return mapsync__fail(m, EPIPE, "barrier %s is broken: %s at generation %u; reset it to use it again",
                                       m->name, reason, generation);
    return mapsync__fail(m, EPIPE, "barrier %s is broken: %s while %u of %u parties waited at generation %u; reset it to"
                         " use it again", m->name, reason, waiting, m->entries, generation);
}

static void take_seat(struct mapsync_map *m, uint32_t i) {
    __atomic_store_n(word32(m, SEATS + 16ull * i + 4), mapsync__self()->pid, __ATOMIC_RELAXED);
    __atomic_store_n((uint64_t *)(m->control + SEATS + 16ull * i + 8), mapsync__now_ms(), __ATOMIC_RELAXED);
    m->seat = (int32_t)i;
}

/* Takes a free seat, or the seat of a holder that is gone (then breaking a generation it may have arrived in). */
static int join(struct mapsync_map *m) {
    if (m->seat >= 0) return 0;
    uint32_t t = 0;
    for (uint32_t i = 0; i < m->entries; i++) {
        int rc = checked_seat(m, i, &t);
        if (rc != 0) return rc;
    }
    for (uint32_t i = 0; i < m->entries; i++) {
        uint32_t zero = 0;
        if (__atomic_load_n(seat_word(m, i), __ATOMIC_ACQUIRE) == 0
            && __atomic_compare_exchange_n(seat_word(m, i), &zero, m->token, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {
            take_seat(m, i);
            return 0;
        }
    }
    for (uint32_t i = 0; i < m->entries; i++) {
        t = __atomic_load_n(seat_word(m, i), __ATOMIC_ACQUIRE);
        if (t == 0 || t == m->token || mapsync_owner_alive(m, t)) continue;
        uint32_t dead_pid = __atomic_load_n(word32(m, SEATS + 16ull * i + 4), __ATOMIC_RELAXED);
        if (!__atomic_compare_exchange_n(seat_word(m, i), &t, m->token, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) continue;
        take_seat(m, i);
        /* the dead holder may have arrived: with its seat held again, no waiter could find it gone */
        uint64_t s = __atomic_load_n(state_word(m), __ATOMIC_SEQ_CST);
        int broke = arrived_of(s) > 0 && !broken_state(s) ? break_barrier(m, generation_of(s), WHY_DIED, dead_pid) : 0;
        return broke < 0 ? broke : 0;
    }
    return mapsync__fail(m, EUSERS, "barrier %s has its %u parties already; a process becomes a party at its first"
                         " await and stays one until it closes the barrier", m->name, m->entries);
}

/* A seat whose holder is gone, or -1. */
static int dead_seat(struct mapsync_map *m, int *rc) {
    for (uint32_t i = 0; i < m->entries; i++) {
        uint32_t t = 0;
        if ((*rc = checked_seat(m, i, &t)) != 0) return -1;
        if (t != 0 && t != m->token && !mapsync_owner_alive(m, t)) return (int)i;
    }
    return -1;
}

static int check_barrier(struct mapsync_map *m) {
    if (m->map_type != MAPSYNC_TYPE_BARRIER) return mapsync__fail(m, EMEDIUMTYPE, "map %s is not a barrier", m->name);
    if (m->token == 0) return mapsync__fail(m, EBADF, "barrier %s is open read-only", m->name);
    return 0;
}

static int wait_for(struct mapsync_map *m, uint32_t generation, long timeout_ms, uint64_t deadline) {
    uint64_t next_check = mapsync__now_ns() + SLICE_NS;
    for (int spin = 0;; spin++) {
        uint32_t wake = __atomic_load_n(word32(m, WAKE), __ATOMIC_SEQ_CST);
        uint64_t s = __atomic_load_n(state_word(m), __ATOMIC_SEQ_CST);
        int rc = corrupt_state(m, s);
        if (rc != 0) return rc;
        if (generation_of(s) != generation) {
            bool tripped = generation_of(s) == generation + 1 ? (s & TRIPPED_BIT) != 0
                                                               : __atomic_load_n(word32(m, LAST_TRIPPED), __ATOMIC_ACQUIRE) == generation + 1;
            return tripped ? 0 : broken(m, generation);
        }
        if (broken_state(s)) return broken(m, generation);
        uint64_t now = mapsync__now_ns();
        if (now >= deadline) {
            if ((rc = break_barrier(m, generation, WHY_TIMED_OUT, mapsync__self()->pid)) < 0) return rc;
            if (rc == 1) {
                return mapsync__fail(m, ETIMEDOUT, "timed out after %ld ms at barrier %s, generation %u: %u of %u parties"
                                     " had arrived; the barrier is now broken for the others", timeout_ms, m->name,
                                     generation, arrived_of(s), m->entries);
            }
            continue; /* it tripped or broke meanwhile: the next round says which */
        }
        if (now >= next_check) {
            next_check = now + SLICE_NS;
            int dead = dead_seat(m, &rc);
            if (rc != 0) return rc;
            if (dead >= 0) {
                rc = break_barrier(m, generation, WHY_DIED, __atomic_load_n(word32(m, SEATS + 16ull * dead + 4), __ATOMIC_RELAXED));
                if (rc < 0) return rc;
                if (rc == 1) return broken(m, generation);
            }
        }
        if (spin < SPINS) {
            mapsync__pause();
            continue;
        }
        uint64_t nap = deadline - now < next_check - now ? deadline - now : next_check - now;
        mapsync__futex_wait(word32(m, WAKE), wake, nap < SLICE_NS ? nap : SLICE_NS);
    }
}

int mapsync_barrier_await(struct mapsync_map *m, long timeout_ms, uint64_t *generation) {
    int rc = check_barrier(m);
    if (rc == 0) rc = join(m);
    if (rc != 0) return rc;
    uint64_t deadline = mapsync__now_ns() + (timeout_ms > 0 ? (uint64_t)timeout_ms * 1000000u : 0);
    for (int tries = 0;; tries++) {
        if (tries == MAPSYNC_CAS_TRIES) return churned(m);
        uint64_t s = __atomic_load_n(state_word(m), __ATOMIC_SEQ_CST);
        if ((rc = corrupt_state(m, s)) != 0) return rc;
        uint32_t g = generation_of(s);
        if (broken_state(s)) return broken(m, g);
        if (generation != NULL) *generation = g;
        if (arrived_of(s) + 1 == m->entries) {
            uint64_t next = (uint64_t)(g + 1) << 32 | TRIPPED_BIT;
            if (__atomic_compare_exchange_n(state_word(m), &s, next, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
                __atomic_store_n(word32(m, LAST_TRIPPED), g + 1, __ATOMIC_RELEASE);
                wake_all(m);
                return 0;
            }
            continue;
        }
        if (__atomic_compare_exchange_n(state_word(m), &s, s + 1, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
            return wait_for(m, g, timeout_ms, deadline);
        }
    }
}

int mapsync_barrier_reset(struct mapsync_map *m) {
    int rc = check_barrier(m);
    if (rc != 0) return rc;
    for (int tries = 0;; tries++) {
        if (tries == MAPSYNC_CAS_TRIES) return churned(m);
        uint64_t s = __atomic_load_n(state_word(m), __ATOMIC_SEQ_CST);
        uint32_t g = generation_of(s);
        if (!broken_state(s) && arrived_of(s) == 0) break;
        if (!broken_state(s)) write_break_record(m, g, WHY_RESET, mapsync__self()->pid, arrived_of(s));
        if (__atomic_compare_exchange_n(state_word(m), &s, (uint64_t)(g + 1) << 32, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
            wake_all(m);
            break;
        }
    }
    for (uint32_t i = 0; i < m->entries; i++) {
        uint32_t t = __atomic_load_n(seat_word(m, i), __ATOMIC_ACQUIRE);
        if (t != 0 && t != m->token && !mapsync_owner_alive(m, t)) {
            __atomic_compare_exchange_n(seat_word(m, i), &t, 0, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
        }
    }
    return 0;
}

void mapsync__leave_barrier(struct mapsync_map *m) {
    if (m->seat < 0) return;
    uint32_t mine = m->token;
    __atomic_compare_exchange_n(seat_word(m, (uint32_t)m->seat), &mine, 0, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
    m->seat = -1;
}
