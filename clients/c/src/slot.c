/*
 * slot.c: process slots (FORMAT.md §4.1): a read-write handle claims one, and owner tokens name it; whether a token's
 * holder lives is asked of the kernel through the slot's OFD lock on the liveness file.
 */
#include "internal.h"

struct mapsync_slot *mapsync__slot(const struct mapsync_map *m, uint32_t slot) {
    return (struct mapsync_slot *)(m->control + MAPSYNC_SLOTS_OFFSET) + slot;
}

/* An OFD lock request (or probe) of `type` on the liveness file's byte of slot-like offset `byte`. */
static int ofd(int fd, int cmd, short type, long long byte) {
    struct flock f;
    memset(&f, 0, sizeof f);
    f.l_type = type;
    f.l_whence = SEEK_SET;
    f.l_start = byte;
    f.l_len = 1;
    return fcntl(fd, cmd, &f) == 0 ? (cmd == F_OFD_GETLK ? f.l_type : 0) : -errno;
}

/*
 * The counts of subscriptions and sleeping waiters a dead previous holder of our slot left in its slot counter
 * (FORMAT.md §4.3) are taken out of the totals, now that the slot is ours and before this handle subscribes.
 */
static void take_back_stale_counts(struct mapsync_map *m, uint32_t slot) {
    const struct mapsync_header *h = m->header;
    uint64_t counters = MAPSYNC_STRIPES_OFFSET + (uint64_t)h->lock_stripes * 64 + (uint64_t)h->changelog_capacity * 32;
    uint64_t stale = __atomic_exchange_n((uint64_t *)(m->control + counters + 8ull * slot), 0, __ATOMIC_SEQ_CST);
    uint32_t subscriptions = (uint32_t)stale, waiting = (uint32_t)(stale >> 32);
    uint32_t *event = (uint32_t *)(m->control + MAPSYNC_EVENT_BLOCK_OFFSET);
    if (subscriptions != 0) __atomic_fetch_sub(&event[3], subscriptions, __ATOMIC_SEQ_CST);
    if (waiting != 0) __atomic_fetch_sub(&event[2], waiting, __ATOMIC_SEQ_CST);
}

int mapsync__claim_slot(struct mapsync_map *m) {
    const struct mapsync__proc *self = mapsync__self();
    /* start where this process's handles are unlikely to collide with another's, then take the first free one */
    uint32_t first = (self->pid * 31u + (uint32_t)((uintptr_t)m->file >> 12)) % MAPSYNC_SLOT_COUNT;
    for (uint32_t i = 0; i < MAPSYNC_SLOT_COUNT; i++) {
        uint32_t slot = (first + i) % MAPSYNC_SLOT_COUNT;
        int rc = ofd(m->lock_fd, F_OFD_SETLK, F_WRLCK, MAPSYNC_OFD_BASE + slot);
        if (rc == -EAGAIN || rc == -EACCES) continue; /* in use */
        if (rc != 0) return mapsync__fail(m, -rc, "map %s: locking its liveness file: %s", m->name, strerror(-rc));
        struct mapsync_slot *s = mapsync__slot(m, slot);
        /* the lock first, then the generation: a token whose generation is current names the lock's holder */
        uint32_t generation;
        do {
            generation = __atomic_add_fetch(&s->generation, 1, __ATOMIC_SEQ_CST);
        } while ((generation & MAPSYNC_GEN_MASK) == 0); /* a token's generation is never 0 */
        __atomic_store_n(&s->start_time, self->start_time, __ATOMIC_RELAXED);
        __atomic_store_n(&s->pid_ns, self->pid_ns, __ATOMIC_RELAXED);
        __atomic_store_n(&s->claimed_ms, mapsync__now_ms(), __ATOMIC_RELAXED);
        __atomic_store_n(&s->pid, self->pid, __ATOMIC_RELEASE);
        m->token = (generation & MAPSYNC_GEN_MASK) << 10 | slot;
        if (m->map_type == MAPSYNC_TYPE_ARRAY || m->map_type == MAPSYNC_TYPE_HASH) take_back_stale_counts(m, slot);
        return 0;
    }
    return mapsync__fail(m, EUSERS, "map %s already has %d read-write handles open, in this process or others that live;"
                         " close handles when done with them", m->name, MAPSYNC_SLOT_COUNT);
}

bool mapsync__token_current(const struct mapsync_map *m, uint32_t token) {
    uint32_t generation = __atomic_load_n(&mapsync__slot(m, token & MAPSYNC_SLOT_MASK)->generation, __ATOMIC_ACQUIRE);
    return (generation & MAPSYNC_GEN_MASK) == token >> 10;
}

bool mapsync_owner_alive(const struct mapsync_map *m, uint32_t token) {
    token &= MAPSYNC_TOKEN_MASK;
    /* our own OFD lock never conflicts with a probe through our own descriptor: we are alive by definition */
    if (token == m->token && token != 0) return true;
    if (!mapsync__token_current(m, token)) return false;
    const struct mapsync_slot *s = mapsync__slot(m, token & MAPSYNC_SLOT_MASK);
    if (m->lock_fd < 0) {
        uint32_t pid = __atomic_load_n(&s->pid, __ATOMIC_ACQUIRE);
        if (__atomic_load_n(&s->pid_ns, __ATOMIC_RELAXED) != mapsync__self()->pid_ns) return true;
        uint64_t start = mapsync__start_time(pid);
        return start != 0 && start == __atomic_load_n(&s->start_time, __ATOMIC_RELAXED);
    }
    /* a read probe conflicts with the holder's write lock */
    int type = ofd(m->lock_fd, F_OFD_GETLK, F_RDLCK, MAPSYNC_OFD_BASE + (token & MAPSYNC_SLOT_MASK));
    if (type < 0) return true; /* cannot tell: declare no one dead */
    return type != F_UNLCK;
}
