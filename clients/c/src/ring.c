/*
 * ring.c: shm rings (FORMAT.md §7): producers claim a record under the reserve lock, write it in place and commit it;
 * the one consumer (the holder of the consumer byte's OFD lock) reads records in claim order, zeroes what it read,
 * and skips the records of producers that died before committing them; a seal ends the claims. Kernel rings (FORMAT.md
 * §8, mapped by bpf_ring.c) run the same code on the kernel's pages: a user ring's producers claim as on an shm ring
 * (the reserve lock is in the sidecar), and a ringbuf's consumer reads what BPF programs committed and sleeps in poll(2)
 * on the map, which the kernel wakes.
 */
#include "internal.h"

#include <limits.h>
#include <poll.h>
#include <sched.h>

#define PRODUCER_POSITION 33024
#define RESERVE_LOCK 33152
#define SEALED (RESERVE_LOCK + 4)
#define CONSUMER_POSITION 33280
#define CONSUMER_WAIT 33408
#define PRODUCER_WAIT 33536
#define CONSUMER_PID 33664
#define CONSUMER_START (CONSUMER_PID + 8)
#define CONSUMER_PIDNS (CONSUMER_PID + 16)
#define CONSUMER_SINCE (CONSUMER_PID + 24)
#define LOST_RECORDS (CONSUMER_PID + 32)
#define LOST_BYTES (CONSUMER_PID + 40)
#define CONSUMER_FENCES (CONSUMER_PID + 48)
#define CONSUMER_LOCK_BYTE (MAPSYNC_OFD_BASE + MAPSYNC_SLOT_COUNT)
#define BUSY 0x80000000u
#define DISCARD 0x40000000u
#define LENGTH_MASK (DISCARD - 1)
#define RESERVE_SPINS 64
#define RESERVE_LIVENESS_NS 2000000ull  /* a reserve lock held this long: look whether its holder lives */
#define RESERVE_TIMEOUT_NS 30000000000ull /* the reserve lock's wait in a seal or a claim that waits for no room */
#define RESERVE_GRACE_NS 10000000ull /* the least a claim waits for the reserve lock: a preempted holder comes back */
#define CLAIM_CHECK_NS 10000000ull      /* a record BUSY this long: look whether its claimer lives */
#define ROOM_SLICE_NS 1000000000ull
#define CONSUMER_SPINS 256
#define KERNEL_BUSY_PARK_NS 100000ull   /* a kernel record reserved, not submitted: look again this soon */
#define KERNEL_SLICE_MS 1000            /* a kernel ring's consumer sleeps in poll(2) at most this long at a time */
#define USER_RING_ROOM_NS 1000000ull    /* a user ring's producer waiting for room: no one wakes it, it looks again */
#define BPF_MAP_TYPE_USER_RINGBUF_ 31

static uint32_t *word32(const struct mapsync_map *m, uint64_t offset) {
    return (uint32_t *)(m->control + offset);
}

static uint64_t *word64(const struct mapsync_map *m, uint64_t offset) {
    return (uint64_t *)(m->control + offset);
}

static uint64_t record_size(uint32_t length) {
    return ((uint64_t)length + 8 + 7) & ~7ull;
}

static bool kernel_ring(const struct mapsync_map *m) {
    return m->backend == MAPSYNC_BACKEND_BPF;
}

static bool user_ring(const struct mapsync_map *m) {
    return kernel_ring(m) && m->header->bpf_map_type == BPF_MAP_TYPE_USER_RINGBUF_;
}

static size_t page_size(void) {
    static size_t page;
    if (page == 0) page = (size_t)sysconf(_SC_PAGESIZE);
    return page;
}

/* The positions and the records: the sidecar's control region and the data region, or the kernel's pages. */
static uint64_t *producer_word(const struct mapsync_map *m) {
    return kernel_ring(m) ? (uint64_t *)(m->data + page_size()) : word64(m, PRODUCER_POSITION);
}

static uint64_t *consumer_word(const struct mapsync_map *m) {
    return kernel_ring(m) ? (uint64_t *)m->data : word64(m, CONSUMER_POSITION);
}

static uint8_t *records(const struct mapsync_map *m) {
    return kernel_ring(m) ? m->data + 2 * page_size() : m->data;
}

enum role { PRODUCER, CONSUMER };

/* Whether this handle may take `role` in the ring: user space produces into a user ring and consumes a ringbuf. */
static int check_ring(struct mapsync_map *m, enum role role) {
    if (m->map_type != MAPSYNC_TYPE_RING) return mapsync__fail(m, EMEDIUMTYPE, "map %s is not a ring", m->name);
    if (m->data == NULL) return mapsync__fail(m, EBADF, "ring %s is not open", m->name);
    if (kernel_ring(m) && role == PRODUCER && !user_ring(m)) {
        return mapsync__fail(m, EPERM, "ring %s is a kernel BPF ring buffer: only BPF programs produce into it"
                             " (bpf_ringbuf_output, bpf_ringbuf_reserve); user space consumes it", m->name);
    }
    if (user_ring(m) && role == CONSUMER) {
        return mapsync__fail(m, EPERM, "ring %s is a kernel user ring buffer (BPF_MAP_TYPE_USER_RINGBUF): only BPF"
                             " programs consume it (bpf_user_ringbuf_drain); user space produces into it", m->name);
    }
    if (m->token == 0) return mapsync__fail(m, EBADF, "ring %s is open read-only", m->name);
    return 0;
}

/* What is wrong with a pair of positions (FORMAT.md §7.2), or 0. */
static int check_positions(struct mapsync_map *m, uint64_t producer, uint64_t consumer) {
    const char *problem = NULL;
    if ((consumer & 7) != 0) problem = "its consumer position is not a multiple of 8";
    else if ((producer & 7) != 0) problem = "its producer position is not a multiple of 8";
    else if ((int64_t)(producer - consumer) < 0) problem = "its consumer position is past its producer position";
    else if (producer - consumer > m->entries) problem = "its producer position is more than its capacity past its consumer position";
    if (problem == NULL) return 0;
    return mapsync__fail(m, EBADMSG, "ring %s is corrupt: %s (producer %llu, consumer %llu)", m->name, problem,
                         (unsigned long long)producer, (unsigned long long)consumer);
}

static void wake_word(uint32_t *word, int n) {
    mapsync__futex_wake(word, n);
}

/* A reserve lock still held when its wait ran out: only a peer that wrote a live token into it holds it that long. */
static int reserve_timed_out(struct mapsync_map *m, uint32_t owner, uint64_t waited_ns) {
    uint32_t pid = mapsync__token_current(m, owner)
                   ? __atomic_load_n(&mapsync__slot(m, owner & MAPSYNC_SLOT_MASK)->pid, __ATOMIC_ACQUIRE) : 0;
    return mapsync__fail(m, ETIMEDOUT, "timed out after %.1f s waiting for the reserve lock of ring %s: held by pid %u"
                         " (%s)", waited_ns / 1e9, m->name, pid, mapsync_owner_alive(m, owner) ? "alive" : "dead");
}

/*
 * The reserve lock: its holder does a few stores, so spin, then yield; a dead holder's lock is taken over. The wait
 * ends timeout_ns after *since (CLOCK_MONOTONIC ns, set here when the clock is first read if it is 0), and no sooner
 * than RESERVE_GRACE_NS after it began, with -ETIMEDOUT.
 */
static int reserve_lock(struct mapsync_map *m, uint64_t timeout_ns, uint64_t *since) {
    uint32_t *lock = word32(m, RESERVE_LOCK);
    uint64_t start = 0, next_check = 0;
    long pause = 1000;
    for (int i = 0;; i++) {
        uint32_t owner = __atomic_load_n(lock, __ATOMIC_ACQUIRE);
        if (owner == 0) {
            if (__atomic_compare_exchange_n(lock, &owner, m->token, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) return 0;
            continue;
        }
        if (i < RESERVE_SPINS) {
            mapsync__pause();
            continue;
        }
        uint64_t now = mapsync__now_ns();
        if (start == 0) {
            start = now;
            next_check = now + RESERVE_LIVENESS_NS;
            if (*since == 0) *since = now;
        }
        if (owner != m->token && now >= next_check) {
            next_check = now + RESERVE_LIVENESS_NS;
            if (!mapsync_owner_alive(m, owner)
                && __atomic_compare_exchange_n(lock, &owner, m->token, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {
                return 0; /* nothing needs repair: the consumer clears a header its dead claimer left */
            }
        }
        if (now - *since >= timeout_ns && now - start >= RESERVE_GRACE_NS) return reserve_timed_out(m, owner, now - start);
        if (now - start < RESERVE_LIVENESS_NS) {
            sched_yield();
        } else {
            mapsync__sleep_ns(pause);
            if (pause < 100000) pause *= 2;
        }
    }
}

static void reserve_unlock(struct mapsync_map *m) {
    __atomic_store_n(word32(m, RESERVE_LOCK), 0, __ATOMIC_RELEASE);
}

/* An shm ring's free space is zero: a header at the producer position is a record that a position moved back would
 * have this claim overwrite, unless its claimer (this handle, or one that is gone) never moved the position. A user
 * ring's free space is what the kernel left. */
static int check_free(struct mapsync_map *m, uint64_t producer, const uint8_t *at) {
    uint64_t found = kernel_ring(m) ? 0 : __atomic_load_n((const uint64_t *)at, __ATOMIC_ACQUIRE);
    uint32_t owner = (uint32_t)(found >> 32);
    if (found == 0 || (((uint32_t)found & BUSY) && (owner == m->token || !mapsync_owner_alive(m, owner)))) return 0;
    return mapsync__fail(m, EBADMSG, "ring %s is corrupt: its producer position %llu is not on free space: a record of"
                         " %u bytes is there", m->name, (unsigned long long)producer, (uint32_t)found & LENGTH_MASK);
}

/* One claim attempt: 0 claimed, -EAGAIN full, -EPIPE sealed, -EBADMSG, -ETIMEDOUT (the lock, as reserve_lock). */
static int try_claim(struct mapsync_map *m, uint32_t length, struct mapsync_claim *claim, uint64_t timeout_ns,
                     uint64_t *since) {
    uint64_t size = record_size(length);
    int rc = reserve_lock(m, timeout_ns, since);
    if (rc != 0) return rc;
    if (__atomic_load_n(word32(m, SEALED), __ATOMIC_ACQUIRE) != 0) {
        rc = mapsync__fail(m, EPIPE, "ring %s is sealed: it takes no more records", m->name);
    } else {
        uint64_t producer = __atomic_load_n(producer_word(m), __ATOMIC_ACQUIRE);
        uint64_t consumer = __atomic_load_n(consumer_word(m), __ATOMIC_ACQUIRE);
        rc = check_positions(m, producer, consumer);
        uint8_t *at = records(m) + (producer & (m->entries - 1));
        if (rc == 0 && producer + size - consumer > m->entries) {
            rc = mapsync__fail(m, EAGAIN, "ring %s is full", m->name);
        } else if (rc == 0 && (rc = check_free(m, producer, at)) == 0) {
            /* the header in one 8-byte store, before the position moves: a non-zero header is a whole one */
            __atomic_store_n((uint64_t *)at, (uint64_t)m->token << 32 | (length | BUSY), __ATOMIC_RELEASE);
            __atomic_store_n(producer_word(m), producer + size, __ATOMIC_RELEASE);
            claim->position = producer;
            claim->length = length;
            claim->payload = at + 8; /* the data region is mapped twice in a row: a record that wraps is one piece */
        }
    }
    reserve_unlock(m);
    return rc;
}

int mapsync_ring_claim(struct mapsync_map *m, uint32_t length, long timeout_ms, struct mapsync_claim *claim) {
    int rc = check_ring(m, PRODUCER);
    if (rc != 0) return rc;
    if (length > m->entries - 8 || length > LENGTH_MASK) {
        return mapsync__fail(m, EMSGSIZE, "a record of %u bytes does not fit ring %s (at most %u)", length, m->name, m->entries - 8);
    }
    uint64_t start = 0, timeout = timeout_ms > 0 ? (uint64_t)timeout_ms * 1000000u : 0;
    for (int attempt = 0;; attempt++) {
        rc = try_claim(m, length, claim, timeout > 0 ? timeout : RESERVE_TIMEOUT_NS, &start);
        if (rc != -EAGAIN) return rc;
        uint64_t now = mapsync__now_ns();
        if (start == 0) start = now;
        uint64_t waited = now - start;
        if (waited >= timeout) return rc;
        if (attempt < 256) {
            mapsync__pause();
            continue;
        }
        if (kernel_ring(m)) { /* a user ring's room comes when a BPF program drains it, and that wakes no one */
            uint64_t left = timeout - waited;
            mapsync__sleep_ns((long)(left < USER_RING_ROOM_NS ? left : USER_RING_ROOM_NS));
            continue;
        }
        /* the consumer wakes waiting producers whenever it frees space, and a seal wakes them too */
        uint32_t *wait = word32(m, PRODUCER_WAIT);
        __atomic_store_n(wait, 1, __ATOMIC_SEQ_CST);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        uint64_t producer = __atomic_load_n(producer_word(m), __ATOMIC_SEQ_CST);
        uint64_t consumer = __atomic_load_n(consumer_word(m), __ATOMIC_SEQ_CST);
        if (producer + record_size(length) - consumer <= m->entries) continue;
        uint64_t left = timeout - waited;
        mapsync__futex_wait(wait, 1, left < ROOM_SLICE_NS ? left : ROOM_SLICE_NS);
    }
}

static int finish(struct mapsync_map *m, const struct mapsync_claim *claim, uint32_t header) {
    int rc = check_ring(m, PRODUCER);
    if (rc != 0) return rc;
    uint32_t *at = (uint32_t *)(records(m) + (claim->position & (m->entries - 1)));
    /* an exchange is a full fence: it pairs with the consumer's register-fence-recheck, so no wake-up is lost */
    __atomic_exchange_n(at, header, __ATOMIC_SEQ_CST);
    uint32_t *wait = word32(m, CONSUMER_WAIT);
    if (__atomic_load_n(wait, __ATOMIC_SEQ_CST) != 0 && __atomic_exchange_n(wait, 0, __ATOMIC_SEQ_CST) != 0) wake_word(wait, 1);
    return 0;
}

int mapsync_ring_commit(struct mapsync_map *m, const struct mapsync_claim *claim) {
    return finish(m, claim, claim->length);
}

int mapsync_ring_discard(struct mapsync_map *m, const struct mapsync_claim *claim) {
    return finish(m, claim, claim->length | DISCARD);
}

int mapsync_ring_seal(struct mapsync_map *m) {
    int rc = check_ring(m, PRODUCER);
    if (rc != 0) return rc;
    uint64_t since = 0;
    if ((rc = reserve_lock(m, RESERVE_TIMEOUT_NS, &since)) != 0) return rc;
    __atomic_store_n(word32(m, SEALED), 1, __ATOMIC_RELEASE);
    reserve_unlock(m);
    __atomic_store_n(word32(m, CONSUMER_WAIT), 0, __ATOMIC_SEQ_CST);
    wake_word(word32(m, CONSUMER_WAIT), 1);
    __atomic_store_n(word32(m, PRODUCER_WAIT), 0, __ATOMIC_SEQ_CST);
    wake_word(word32(m, PRODUCER_WAIT), INT_MAX);
    return 0;
}

/* ------------------------------------------------------------------------------------------------ consuming */

int mapsync_consumer_open(struct mapsync_map *m, struct mapsync_consumer *c) {
    memset(c, 0, sizeof *c);
    int rc = check_ring(m, CONSUMER);
    if (rc != 0) return rc;
    struct flock f = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = CONSUMER_LOCK_BYTE, .l_len = 1};
    if (fcntl(m->lock_fd, F_OFD_SETLK, &f) != 0) {
        int err = errno;
        if (err != EAGAIN && err != EACCES) return mapsync__fail(m, err, "ring %s: %s", m->name, strerror(err));
        return mapsync__fail(m, EBUSY, "ring %s already has a consumer: pid %u; a ring has one consumer at a time", m->name,
                             __atomic_load_n(word32(m, CONSUMER_PID), __ATOMIC_ACQUIRE));
    }
    const struct mapsync__proc *self = mapsync__self();
    __atomic_store_n(word64(m, CONSUMER_START), self->start_time, __ATOMIC_RELAXED);
    __atomic_store_n(word64(m, CONSUMER_PIDNS), self->pid_ns, __ATOMIC_RELAXED);
    __atomic_store_n(word64(m, CONSUMER_SINCE), mapsync__now_ms(), __ATOMIC_RELAXED);
    __atomic_store_n(word32(m, CONSUMER_FENCES), 0, __ATOMIC_RELEASE); /* this consumer fences with no membarrier */
    __atomic_store_n(word32(m, CONSUMER_PID), self->pid, __ATOMIC_RELEASE);
    c->map = m;
    c->position = __atomic_load_n(consumer_word(m), __ATOMIC_ACQUIRE);
    c->busy_at = UINT64_MAX;
    c->open = true;
    rc = check_positions(m, __atomic_load_n(producer_word(m), __ATOMIC_ACQUIRE), c->position);
    if (rc != 0) mapsync_consumer_close(c);
    return rc;
}

void mapsync_consumer_close(struct mapsync_consumer *c) {
    if (!c->open) return;
    c->open = false;
    struct mapsync_map *m = c->map;
    if (m->control == NULL) return; /* closing the map dropped the lock already */
    __atomic_store_n(word32(m, CONSUMER_PID), 0, __ATOMIC_RELEASE);
    struct flock f = {.l_type = F_UNLCK, .l_whence = SEEK_SET, .l_start = CONSUMER_LOCK_BYTE, .l_len = 1};
    fcntl(m->lock_fd, F_OFD_SETLK, &f);
}

/* Zeroes a consumed record and publishes the new position; wakes producers that wait for room. */
static void consumed(struct mapsync_consumer *c, uint64_t size) {
    struct mapsync_map *m = c->map;
    uint8_t *at = records(m) + (c->position & (m->entries - 1));
    for (uint64_t o = 0; o < size; o += 8) __atomic_store_n((uint64_t *)(at + o), 0, __ATOMIC_RELAXED);
    c->position += size;
    __atomic_store_n(consumer_word(m), c->position, __ATOMIC_RELEASE);
    uint32_t *wait = word32(m, PRODUCER_WAIT);
    if (__atomic_load_n(wait, __ATOMIC_ACQUIRE) != 0 && __atomic_exchange_n(wait, 0, __ATOMIC_SEQ_CST) != 0) wake_word(wait, INT_MAX);
}

static uint64_t producer_position(struct mapsync_consumer *c, int *rc) {
    uint64_t p = __atomic_load_n(producer_word(c->map), __ATOMIC_ACQUIRE);
    *rc = check_positions(c->map, p, c->position);
    return p;
}

/*
 * The record at the consumer position left BUSY by a claimer that is gone is skipped (counted lost); one whose
 * claimer died inside the reserve lock, before the producer position moved past it, is cleared. 1 if it did either.
 */
static int skip_if_claimer_gone(struct mapsync_consumer *c, uint32_t header) {
    struct mapsync_map *m = c->map;
    uint8_t *at = records(m) + (c->position & (m->entries - 1));
    uint32_t claimer = __atomic_load_n((uint32_t *)(at + 4), __ATOMIC_ACQUIRE);
    if (claimer == m->token || mapsync_owner_alive(m, claimer)) return 0;
    int rc;
    uint64_t producer = producer_position(c, &rc);
    if (rc != 0) return rc;
    if (producer == c->position) {
        uint64_t word = (uint64_t)claimer << 32 | header;
        __atomic_compare_exchange_n((uint64_t *)at, &word, 0, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
        return 1;
    }
    uint32_t length = header & LENGTH_MASK;
    uint64_t size = record_size(length);
    if (size > producer - c->position) {
        return mapsync__fail(m, EBADMSG, "ring %s is corrupt: the record at position %llu says %u bytes, more than were"
                             " produced after it", m->name, (unsigned long long)c->position, length);
    }
    if (!__atomic_compare_exchange_n((uint32_t *)at, &header, length | DISCARD, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) return 1;
    __atomic_fetch_add(word64(m, LOST_RECORDS), 1, __ATOMIC_SEQ_CST);
    __atomic_fetch_add(word64(m, LOST_BYTES), size, __ATOMIC_SEQ_CST);
    c->lost++;
    consumed(c, size);
    return 1;
}

/*
 * The consumer of a kernel ringbuf (FORMAT.md §8): the records below the kernel's producer position have their
 * headers; a BUSY one is reserved by a program that has not submitted it yet. The pages are read-only (the kernel
 * reuses them without zeroing). When caught up: publish the position, a full fence, read the producer position again
 * (the kernel wakes only a consumer whose position it sees caught up), then poll(2) the map for EPOLLIN.
 */
static int consume_kernel(struct mapsync_consumer *c, void *out, uint32_t max, uint32_t *length, long timeout_ms) {
    struct mapsync_map *m = c->map;
    uint64_t start = 0, timeout = timeout_ms > 0 ? (uint64_t)timeout_ms * 1000000u : 0;
    for (int spin = 0;; spin++) {
        int rc;
        uint64_t producer = producer_position(c, &rc);
        if (rc != 0) return rc;
        bool busy = false;
        while (c->position != producer) {
            uint8_t *at = records(m) + (c->position & (m->entries - 1));
            uint32_t header = __atomic_load_n((uint32_t *)at, __ATOMIC_ACQUIRE);
            if (header & BUSY) {
                busy = true;
                break;
            }
            uint32_t len = header & LENGTH_MASK;
            uint64_t size = record_size(len);
            if (size > producer - c->position) {
                return mapsync__fail(m, EBADMSG, "ring %s is corrupt: the record at position %llu says %u bytes, more than"
                                     " were produced after it", m->name, (unsigned long long)c->position, len);
            }
            if (!(header & DISCARD)) {
                *length = len;
                if (len > max) {
                    return mapsync__fail(m, EMSGSIZE, "the record at position %llu of ring %s has %u bytes, more than %u",
                                         (unsigned long long)c->position, m->name, len, max);
                }
                memcpy(out, at + 8, len); /* the kernel maps the records twice in a row: a wrapped one is one piece */
            }
            c->position += size;
            __atomic_store_n(consumer_word(m), c->position, __ATOMIC_RELEASE);
            if (!(header & DISCARD)) return 0;
        }
        uint64_t now = mapsync__now_ns();
        if (start == 0) start = now;
        if (now - start >= timeout) return mapsync__fail(m, ETIMEDOUT, "no record in ring %s", m->name);
        if (spin < CONSUMER_SPINS) {
            mapsync__pause();
            continue;
        }
        uint64_t left = timeout - (now - start);
        if (busy) { /* a reserved record makes the map readable at once: look again shortly instead */
            mapsync__sleep_ns((long)(left < KERNEL_BUSY_PARK_NS ? left : KERNEL_BUSY_PARK_NS));
            continue;
        }
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        if (__atomic_load_n(producer_word(m), __ATOMIC_SEQ_CST) != producer) continue;
        uint64_t ms = (left + 999999) / 1000000;
        struct pollfd p = {.fd = m->bpf_fd, .events = POLLIN};
        if (poll(&p, 1, ms < KERNEL_SLICE_MS ? (int)ms : KERNEL_SLICE_MS) < 0 && errno != EINTR) {
            return mapsync__fail(m, errno, "ring %s: poll: %s", m->name, strerror(errno));
        }
    }
}

int mapsync_consume(struct mapsync_consumer *c, void *out, uint32_t max, uint32_t *length, long timeout_ms) {
    if (!c->open) return -EBADF;
    struct mapsync_map *m = c->map;
    if (kernel_ring(m)) return consume_kernel(c, out, max, length, timeout_ms);
    uint64_t start = 0, timeout = timeout_ms > 0 ? (uint64_t)timeout_ms * 1000000u : 0;
    for (int spin = 0;; spin++) {
        uint8_t *at = records(m) + (c->position & (m->entries - 1));
        uint64_t word = __atomic_load_n((uint64_t *)at, __ATOMIC_ACQUIRE);
        uint32_t header = (uint32_t)word;
        int rc;
        if (word != 0 && !(header & BUSY)) {
            uint32_t len = header & LENGTH_MASK;
            uint64_t size = record_size(len);
            uint64_t producer = producer_position(c, &rc);
            if (rc != 0) return rc;
            if (size > producer - c->position) {
                return mapsync__fail(m, EBADMSG, "ring %s is corrupt: the record at position %llu says %u bytes, more than"
                                     " were produced after it", m->name, (unsigned long long)c->position, len);
            }
            if (header & DISCARD) {
                consumed(c, size);
                continue;
            }
            if (len > max) {
                *length = len;
                return mapsync__fail(m, EMSGSIZE, "the record at position %llu of ring %s has %u bytes, more than %u",
                                     (unsigned long long)c->position, m->name, len, max);
            }
            memcpy(out, at + 8, len);
            *length = len;
            consumed(c, size);
            c->busy_at = UINT64_MAX;
            return 0;
        }
        uint64_t now = mapsync__now_ns();
        if (start == 0) start = now;
        if (word == 0) {
            /* sealed first: sealing happens under the reserve lock after the last claim moved the producer position */
            if (__atomic_load_n(word32(m, SEALED), __ATOMIC_ACQUIRE) != 0) {
                uint64_t producer = producer_position(c, &rc);
                if (rc != 0) return rc;
                if (producer == c->position) return mapsync__fail(m, EPIPE, "ring %s is sealed and drained", m->name);
            }
        } else if (c->busy_at != c->position) {
            c->busy_at = c->position;
            c->busy_since = now;
        } else if (now - c->busy_since >= CLAIM_CHECK_NS) {
            c->busy_since = now;
            rc = skip_if_claimer_gone(c, header);
            if (rc < 0) return rc;
            if (rc > 0) continue;
        }
        if (now - start >= timeout) return mapsync__fail(m, ETIMEDOUT, "no record in ring %s", m->name);
        if (spin < CONSUMER_SPINS) {
            mapsync__pause();
            continue;
        }
        if (word == 0) {
            /* about to sleep: a producer position past ours with no record at it would keep us asleep for ever */
            uint64_t producer = producer_position(c, &rc);
            if (rc != 0) return rc;
            if (producer != c->position && __atomic_load_n((uint64_t *)at, __ATOMIC_ACQUIRE) == 0) {
                return mapsync__fail(m, EBADMSG, "ring %s is corrupt: its producer position %llu is past its consumer"
                                     " position %llu, but there is no record at it", m->name,
                                     (unsigned long long)producer, (unsigned long long)c->position);
            }
        }
        uint32_t *wait = word32(m, CONSUMER_WAIT);
        __atomic_store_n(wait, 1, __ATOMIC_SEQ_CST);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        uint32_t *pwait = word32(m, PRODUCER_WAIT);
        if (__atomic_load_n(pwait, __ATOMIC_ACQUIRE) != 0 && __atomic_exchange_n(pwait, 0, __ATOMIC_SEQ_CST) != 0) wake_word(pwait, INT_MAX);
        bool changed = __atomic_load_n((uint64_t *)at, __ATOMIC_SEQ_CST) != word
                       || (word == 0 && __atomic_load_n(word32(m, SEALED), __ATOMIC_SEQ_CST) != 0);
        if (changed) continue;
        /* a commit or a seal wakes an empty ring's consumer; a record left BUSY is looked at every slice */
        uint64_t left = timeout - (now - start);
        mapsync__futex_wait(wait, 1, word != 0 && left > CLAIM_CHECK_NS ? CLAIM_CHECK_NS : left);
    }
}
