/*
 * seq.c: values wider than one scalar, read and written consistently under their stripe's sequence word
 * (FORMAT.md §4.2). The writer holds the stripe's lock for its whole odd window; a reader never blocks a writer.
 */
#include "internal.h"

#include <sched.h>

#define READ_SPINS 200

static bool torn(const struct mapsync_lock *rec, uint32_t index) {
    if (__atomic_load_n(&rec->torn[0], __ATOMIC_ACQUIRE) == MAPSYNC_ALL_TORN) return true;
    for (int i = 0; i < 4; i++) {
        if (__atomic_load_n(&rec->torn[i], __ATOMIC_ACQUIRE) == index + 1) return true;
    }
    return false;
}

/* Copies a value word by word with relaxed atomic loads: a racing writer is not undefined behaviour. */
static void copy_out(void *out, const uint8_t *src, uint32_t size) {
    uint8_t *dst = out;
    for (uint32_t i = 0; i < size; i += 8) {
        uint64_t w = __atomic_load_n((const uint64_t *)(src + i), __ATOMIC_RELAXED);
        memcpy(dst + i, &w, size - i < 8 ? size - i : 8);
    }
}

/* Stores a value word by word with relaxed atomic stores; the padding up to the stride stays zero. */
static void copy_in(uint8_t *dst, const void *value, uint32_t size) {
    const uint8_t *src = value;
    for (uint32_t i = 0; i < size; i += 8) {
        uint64_t w = 0;
        memcpy(&w, src + i, size - i < 8 ? size - i : 8);
        __atomic_store_n((uint64_t *)(dst + i), w, __ATOMIC_RELAXED);
    }
}

static int torn_entry(struct mapsync_map *m, uint32_t index, bool whole_stripe) {
    return mapsync__fail(m, ENOTRECOVERABLE, "entry %u of map %s was being written when its writer died, so it may be"
                         " half-written; %s", index, m->name, whole_stripe
                         ? "which entries of its stripe were is not known, which marks the whole stripe"
                         : "it cannot be read until a lock owner writes it again");
}

int mapsync_read(struct mapsync_map *m, uint32_t index, void *out, long timeout_ms) {
    if (m->cpus > 0) return mapsync__per_cpu_array_read(m, index, out);
    if (m->map_type != MAPSYNC_TYPE_ARRAY || m->data == NULL) return mapsync__fail(m, EMEDIUMTYPE, "map %s is not an array", m->name);
    if (index >= m->entries) return mapsync__fail(m, ERANGE, "index %u out of range for map %s (0..%u)", index, m->name, m->entries - 1);
    const uint8_t *src = m->data + (size_t)index * m->stride;
    switch (m->scalar_size) {
    case 1: { uint8_t v = __atomic_load_n(src, __ATOMIC_ACQUIRE); memcpy(out, &v, 1); return 0; }
    case 2: { uint16_t v = __atomic_load_n((const uint16_t *)src, __ATOMIC_ACQUIRE); memcpy(out, &v, 2); return 0; }
    case 4: { uint32_t v = __atomic_load_n((const uint32_t *)src, __ATOMIC_ACQUIRE); memcpy(out, &v, 4); return 0; }
    case 8: { uint64_t v = __atomic_load_n((const uint64_t *)src, __ATOMIC_ACQUIRE); memcpy(out, &v, 8); return 0; }
    default: break;
    }
    struct mapsync_lock *rec = &m->locks[mapsync__stripe_of(m, index)];
    uint64_t start = 0, last_check = 0, timeout = timeout_ms > 0 ? (uint64_t)timeout_ms * 1000000u : 0;
    for (long attempt = 0;; attempt++) {
        uint32_t s1 = __atomic_load_n(&rec->sequence, __ATOMIC_ACQUIRE);
        if ((s1 & 1) == 0) {
            /* every slot: repairing one entry empties its slot, which may come before another torn entry's */
            if (__atomic_load_n(&rec->torn[0], __ATOMIC_RELAXED) != 0 && torn(rec, index)) {
                return torn_entry(m, index, __atomic_load_n(&rec->torn[0], __ATOMIC_RELAXED) == MAPSYNC_ALL_TORN);
            }
            copy_out(out, src, m->value_size);
            __atomic_thread_fence(__ATOMIC_ACQUIRE); /* the copy's loads before the second sequence load */
            if (__atomic_load_n(&rec->sequence, __ATOMIC_RELAXED) == s1) return 0;
            if (attempt >= READ_SPINS) {
                /* writers let a reader in between their windows; one that finds the word changed under every attempt
                 * for its whole timeout (writers back to back, or a peer that keeps writing it) gives up then */
                uint64_t now = mapsync__now_ns();
                if (start == 0) start = now;
                else if (now - start >= timeout) {
                    return mapsync__fail(m, ETIMEDOUT, "timed out after %.1f s reading entry %u of map %s: its stripe's"
                                         " sequence changed under every attempt (a writer, or a peer that keeps writing"
                                         " the word)", (now - start) / 1e9, index, m->name);
                }
            }
        } else if (attempt >= READ_SPINS) {
            /* past the spin, a quarter of a lock slice between looks at the writer */
            uint64_t now = mapsync__now_ns();
            if (start == 0) start = now;
            if (now - last_check >= MAPSYNC_SLICE_NS / 4) {
                last_check = now;
                uint32_t word = __atomic_load_n(&rec->word, __ATOMIC_ACQUIRE);
                uint32_t owner = word & MAPSYNC_TOKEN_MASK;
                /* a writer holds the lock for its whole window: an odd sequence under a free lock (read between two
                 * equal loads of the sequence) or under a dead owner is a write that will never end */
                bool dead = word == 0 ? __atomic_load_n(&rec->sequence, __ATOMIC_ACQUIRE) == s1
                                      : owner != m->token && !mapsync_owner_alive(m, owner);
                if (dead) {
                    uint32_t writing = __atomic_load_n(&rec->writing, __ATOMIC_ACQUIRE);
                    if (!mapsync__guards(m, rec, writing - 1)) return torn_entry(m, index, true);
                    if (writing == index + 1) return torn_entry(m, index, false);
                    copy_out(out, src, m->value_size);
                    __atomic_thread_fence(__ATOMIC_ACQUIRE);
                    if (__atomic_load_n(&rec->sequence, __ATOMIC_RELAXED) == s1
                        && __atomic_load_n(&rec->writing, __ATOMIC_RELAXED) == writing) return 0;
                } else if (now - start >= timeout) {
                    return mapsync__fail(m, ETIMEDOUT, "timed out after %.1f s reading entry %u of map %s: a write by pid"
                                         " %u (alive) has been in progress all that time", (now - start) / 1e9, index,
                                         m->name, __atomic_load_n(&rec->owner_pid, __ATOMIC_RELAXED));
                }
            }
        }
        if (attempt < READ_SPINS) mapsync__pause();
        else if (attempt < READ_SPINS + 50) sched_yield();
        else mapsync__sleep_ns(100000);
    }
}

/* Removes entry `index` from the torn slots, keeping them packed from the first (inside the odd window). */
static void untear(struct mapsync_lock *rec, uint32_t index) {
    uint32_t kept[4] = {0, 0, 0, 0};
    int n = 0;
    for (int i = 0; i < 4; i++) {
        uint32_t v = __atomic_load_n(&rec->torn[i], __ATOMIC_RELAXED);
        if (v == MAPSYNC_ALL_TORN && i == 0) return; /* the whole stripe stays torn until declared repaired */
        if (v != 0 && v != index + 1 && v != MAPSYNC_ALL_TORN) kept[n++] = v; /* past the first slot it names nothing */
    }
    for (int i = 0; i < 4; i++) __atomic_store_n(&rec->torn[i], kept[i], __ATOMIC_RELAXED);
}

/* The write itself; the caller holds the stripe's lock. An odd sequence is corrupt: only the lock's holder makes it
 * odd, and it left it even (a window opened on an odd word would be even, so readers would read through it). */
static int write_locked(struct mapsync_map *m, struct mapsync_lock *rec, uint32_t index, const void *value) {
    uint32_t s = __atomic_load_n(&rec->sequence, __ATOMIC_RELAXED);
    if (s & 1) {
        return mapsync__fail(m, EBADMSG, "map %s is corrupt: the sequence word of the lock of entry %u is odd (%u) while"
                             " this handle holds the lock and writes nothing", m->name, index, s);
    }
    /* the odd sequence and the entry being written, in one store: no reader sees the one without the other */
    __atomic_store_n(mapsync__seq_word(rec), (uint64_t)(index + 1) << 32 | (uint32_t)(s + 1), __ATOMIC_RELEASE);
    /* a release store keeps earlier accesses before it, not later ones: without this store-store fence the value's
     * stores could become visible before the odd sequence, and a reader would copy a half-written value between two
     * loads of the same even sequence (a release fence before relaxed stores is C11's store-store fence; on x86 it
     * costs no instruction) */
    __atomic_thread_fence(__ATOMIC_RELEASE);
    copy_in(m->data + (size_t)index * m->stride, value, m->value_size);
    if (__atomic_load_n(&rec->torn[0], __ATOMIC_RELAXED) != 0) untear(rec, index);
    mapsync__end_window(rec, s + 2);
    return 0;
}

int mapsync_write(struct mapsync_map *m, uint32_t index, const void *value, long timeout_ms) {
    if (m->cpus > 0) return mapsync__per_cpu_array_write(m, index, value, timeout_ms);
    if (m->map_type != MAPSYNC_TYPE_ARRAY || m->data == NULL) return mapsync__fail(m, EMEDIUMTYPE, "map %s is not an array", m->name);
    if (m->read_only) return mapsync__fail(m, EBADF, "map %s is open read-only; it cannot be written", m->name);
    if (index >= m->entries) return mapsync__fail(m, ERANGE, "index %u out of range for map %s (0..%u)", index, m->name, m->entries - 1);
    uint8_t *dst = m->data + (size_t)index * m->stride;
    switch (m->scalar_size) {
    case 1: { uint8_t v; memcpy(&v, value, 1); __atomic_store_n(dst, v, __ATOMIC_RELEASE); break; }
    case 2: { uint16_t v; memcpy(&v, value, 2); __atomic_store_n((uint16_t *)dst, v, __ATOMIC_RELEASE); break; }
    case 4: { uint32_t v; memcpy(&v, value, 4); __atomic_store_n((uint32_t *)dst, v, __ATOMIC_RELEASE); break; }
    case 8: { uint64_t v; memcpy(&v, value, 8); __atomic_store_n((uint64_t *)dst, v, __ATOMIC_RELEASE); break; }
    default: break;
    }
    if (m->scalar_size != 0) return mapsync_record_change(m, index, MAPSYNC_CHANGE_WRITE);
    struct mapsync_lock *rec = &m->locks[mapsync__stripe_of(m, index)];
    bool held = mapsync__held(m, rec);
    if (!held) {
        int rc = mapsync_lock(m, index, timeout_ms, NULL);
        if (rc != 0) return rc;
    }
    int rc = write_locked(m, rec, index, value);
    /* recorded while the lock is held, so that the changes of one entry are logged in the order they happened */
    if (rc == 0) mapsync_record_change(m, index, MAPSYNC_CHANGE_WRITE);
    if (!held) mapsync_unlock(m, index);
    return rc;
}
