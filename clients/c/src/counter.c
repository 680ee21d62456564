/*
 * counter.c: counter maps (FORMAT.md §11): a read-write handle adds into the cells of the process slot it claimed, and
 * a sum reads the cells of every slot the used bitmap marks.
 */
#include "internal.h"

static uint64_t *used_word(const struct mapsync_map *m, uint32_t w) {
    return (uint64_t *)(m->control + MAPSYNC_COUNTER_USED + 8ull * w);
}

static int64_t *cell(const struct mapsync_map *m, uint32_t slot, uint32_t index) {
    return (int64_t *)(m->data + (size_t)slot * m->stride + 8ull * index);
}

void mapsync__mark_counter_slot(struct mapsync_map *m) {
    uint32_t slot = m->token & MAPSYNC_SLOT_MASK;
    uint64_t bit = 1ull << (slot & 63);
    uint64_t *w = used_word(m, slot >> 6);
    if ((__atomic_load_n(w, __ATOMIC_SEQ_CST) & bit) == 0) __atomic_fetch_or(w, bit, __ATOMIC_SEQ_CST);
    uint64_t *summary = (uint64_t *)(m->control + MAPSYNC_COUNTER_SUMMARY), summary_bit = 1ull << (slot >> 6);
    if ((__atomic_load_n(summary, __ATOMIC_SEQ_CST) & summary_bit) == 0) __atomic_fetch_or(summary, summary_bit, __ATOMIC_SEQ_CST);
}

static int check(struct mapsync_map *m, uint32_t index, bool writes) {
    if (m->map_type != MAPSYNC_TYPE_COUNTER) {
        return mapsync__fail(m, EMEDIUMTYPE, "map %s is not a counter map", m->name);
    }
    if (index >= m->entries) {
        return mapsync__fail(m, ERANGE, "index %u is out of range for counter map %s (0..%u)", index, m->name,
                             m->entries - 1);
    }
    if (writes && m->read_only) {
        return mapsync__fail(m, EBADF, "counter map %s is open read-only; adds are refused", m->name);
    }
    return 0;
}

int mapsync_counter_add(struct mapsync_map *m, uint32_t index, int64_t delta) {
    int rc = check(m, index, true);
    if (rc != 0) return rc;
    __atomic_fetch_add(cell(m, m->token & MAPSYNC_SLOT_MASK, index), delta, __ATOMIC_SEQ_CST);
    return 0;
}

/* Runs `body` for every slot the bitmap marks, in slot order, reading the words the summary marks. */
#define FOR_EACH_USED_SLOT(m, slot, body)                                                  \
    uint64_t words_ = __atomic_load_n((uint64_t *)((m)->control + MAPSYNC_COUNTER_SUMMARY), \
                                      __ATOMIC_ACQUIRE) & 0xFFFFull;                       \
    for (; words_ != 0; words_ &= words_ - 1) {                                            \
        uint32_t w_ = (uint32_t)__builtin_ctzll(words_);                                   \
        uint64_t used_ = __atomic_load_n(used_word((m), w_), __ATOMIC_ACQUIRE);            \
        while (used_ != 0) {                                                               \
            uint32_t slot = w_ * 64 + (uint32_t)__builtin_ctzll(used_);                    \
            used_ &= used_ - 1;                                                            \
            body                                                                           \
        }                                                                                  \
    }

int mapsync_counter_sum(struct mapsync_map *m, uint32_t index, int64_t *sum) {
    int rc = check(m, index, false);
    if (rc != 0) return rc;
    uint64_t total = 0; /* wraps around as Java's long does */
    FOR_EACH_USED_SLOT(m, slot, { total += (uint64_t)__atomic_load_n(cell(m, slot, index), __ATOMIC_SEQ_CST); })
    *sum = (int64_t)total;
    return 0;
}

int mapsync_counter_sum_then_reset(struct mapsync_map *m, uint32_t index, int64_t *sum) {
    int rc = check(m, index, true);
    if (rc != 0) return rc;
    uint64_t total = 0;
    FOR_EACH_USED_SLOT(m, slot, { total += (uint64_t)__atomic_exchange_n(cell(m, slot, index), 0, __ATOMIC_SEQ_CST); })
    *sum = (int64_t)total;
    return 0;
}

int mapsync_counter_cells(struct mapsync_map *m, uint32_t index, struct mapsync_counter_cell *cells, int max) {
    int rc = check(m, index, false);
    if (rc != 0) return rc;
    int n = 0;
    FOR_EACH_USED_SLOT(m, slot, {
        if (n < max) {
            cells[n].slot = slot;
            cells[n].pid = __atomic_load_n(&mapsync__slot(m, slot)->pid, __ATOMIC_ACQUIRE);
            cells[n].value = __atomic_load_n(cell(m, slot, index), __ATOMIC_SEQ_CST);
        }
        n++;
    })
    return n;
}
