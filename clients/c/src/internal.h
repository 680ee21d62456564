/*
 * internal.h: what the library's files share and its users do not see.
 */
#ifndef MAPSYNC_INTERNAL_H
#define MAPSYNC_INTERNAL_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "mapsync.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#ifndef F_OFD_GETLK
#define F_OFD_GETLK 36 /* Linux 3.15 */
#define F_OFD_SETLK 37
#endif

#pragma GCC visibility push(hidden) /* the library's own: not exported from libmapsync.so */

#define MAPSYNC_GEN_MASK 0xFFFFFu
#define MAPSYNC_SLOT_MASK 0x3FFu
/* A waiter looks at its lock's owner at least this often: the bound on taking over from a dead owner. */
#define MAPSYNC_SLICE_NS 20000000ull
/* Compare-and-sets on one shared word that fail in a row before a loop takes the word for one a peer keeps writing
 * (processes that follow the format change it far fewer times under any one loop) and stops instead of spinning. */
#define MAPSYNC_CAS_TRIES (1 << 16)

/* Leaves a sentence in m->error and returns -err. */
int mapsync__fail(struct mapsync_map *m, int err, const char *format, ...) __attribute__((format(printf, 3, 4)));

uint64_t mapsync__page_align(uint64_t n);
uint64_t mapsync__now_ns(void);   /* CLOCK_MONOTONIC */
uint64_t mapsync__now_ms(void);   /* since the epoch */
void mapsync__sleep_ns(long ns);
void mapsync__pause(void);        /* one spin-wait hint */
uint64_t mapsync__tid(void);      /* the kernel thread id of the caller */

/* FUTEX_WAIT (process-shared) on `word` while it holds `expected`, at most timeout_ns; FUTEX_WAKE up to n waiters. */
void mapsync__futex_wait(uint32_t *word, uint32_t expected, uint64_t timeout_ns);
void mapsync__futex_wake(uint32_t *word, int n);

/* This process: its start time (field 22 of /proc/self/stat) and pid namespace inode. */
struct mapsync__proc {
    uint32_t pid;
    uint64_t start_time;
    uint64_t pid_ns;
};
const struct mapsync__proc *mapsync__self(void);
uint64_t mapsync__start_time(uint32_t pid); /* 0 if there is no such process */

/* The checks of one map type's header geometry and schemas (FORMAT.md §2, §7.1, §9, §10.1); -EBADMSG with a sentence. */
int mapsync__check_geometry(struct mapsync_map *m, const char *what, const struct mapsync_header *h, uint64_t file_size);
int mapsync__check_schemas(struct mapsync_map *m, const char *what);
int mapsync__check_hash_table(struct mapsync_map *m, const char *what);
/* The inverse, for a creator: the stride, regions and file length that the type fields of `h` (map type, backend,
 * key and value sizes, entries, lock stripes, changelog capacity) imply, by the rules the checks apply; false if such
 * a map is too large to exist. The header is then checked as an opener checks it. */
bool mapsync__lay_out(struct mapsync_header *h);
/* Writes the table header of a new shm hash map (FORMAT.md §10.1) into its zeroed data region. */
void mapsync__write_hash_table(uint8_t *data, const struct mapsync_header *h, uint64_t seed);
/* The size a schema text describes, or -1 when it is not a schema. */
long mapsync__schema_size(const char *text);

/* Paths and folders (open.c, FORMAT.md §5). */
int mapsync__resolve(struct mapsync_map *m, const char *map, bool want_bpf, char *path, size_t size);
void mapsync__folder_of(const char *path, char *folder, size_t size);
void mapsync__default_dir(uid_t uid, char *dir, size_t size);
long mapsync__default_dir_user(const char *dir); /* the user whose default folder `dir` is, or -1 */
int mapsync__check_folder(struct mapsync_map *m, const char *folder);
mode_t mapsync__liveness_mode(mode_t map_mode); /* FORMAT.md §4.1 */

/* Opens the kernel map behind a bpf map's sidecar and checks it against the sidecar (bpf.c); -ENOTSUP without libbpf. */
int mapsync__open_kernel_map(struct mapsync_map *m, const char *what);
#ifdef MAPSYNC_WITH_LIBBPF
struct bpf_map_info;
/* Opens the pin the sidecar records into m->bpf_fd (read-only for a read-only handle of a map whose pages are not
 * `mapped`) and reads the kernel map's info. */
int mapsync__open_pin(struct mapsync_map *m, const char *what, bool mapped, struct bpf_map_info *info);
int mapsync__open_kernel_hash(struct mapsync_map *m, const char *what); /* bpf_hash.c */
int mapsync__open_kernel_ring(struct mapsync_map *m, const char *what); /* bpf_ring.c */
#endif
/* Per-CPU kernel maps (percpu.c): the sum of m->cpus values `stride` apart; the kernel's layout of them (each
 * round_up(value_size, 8) apart) to and from the caller's C array of values; an operation they do not have. */
int mapsync__per_cpu_sum(struct mapsync_map *m, const uint8_t *all, size_t stride, void *sum);
void mapsync__per_cpu_unpack(const struct mapsync_map *m, const uint8_t *all, void *values);
void mapsync__per_cpu_replicate(const struct mapsync_map *m, const void *value, uint8_t *all);
int mapsync__per_cpu_refused(struct mapsync_map *m, const char *operation);
int mapsync__per_cpu_array_read(struct mapsync_map *m, uint32_t index, void *sum);
int mapsync__per_cpu_array_write(struct mapsync_map *m, uint32_t index, const void *value, long timeout_ms);
#ifdef MAPSYNC_WITH_LIBBPF
int mapsync__possible_cpus(struct mapsync_map *m, const char *what); /* sets m->cpus */
int mapsync__open_kernel_per_cpu_array(struct mapsync_map *m, const char *what);
#endif
/* The sentence of atomics on a per-CPU array (Java's). */
#define MAPSYNC_PER_CPU_NO_SLOTS "it has no atomic slots, since each CPU updates its own value and only bpf(2) copies" \
    " them; use mapsync_read (the sum), mapsync_read_per_cpu and mapsync_write"

/* True for a bpf hash map: a kernel hash map, every operation a bpf(2) call (FORMAT.md §10.8). */
/* n rounded up to a multiple of `to` (the kernel's value strides, lock offsets and key slots). */
static inline uint32_t mapsync__round_up(uint32_t n, uint32_t to) {
    return (n + to - 1) / to * to;
}

static inline bool mapsync__kernel_hash(const struct mapsync_map *m) {
    return m->map_type == MAPSYNC_TYPE_HASH && m->backend == MAPSYNC_BACKEND_BPF;
}

/* bpf hash maps (bpf_hash.c; -ENOTSUP without libbpf): what hash.c and hash_lock.c hand them. */
int mapsync__bpf_hash_get(struct mapsync_map *m, const void *key, void *value);
int mapsync__bpf_hash_put(struct mapsync_map *m, const void *key, const void *value, long timeout_ms);
int mapsync__bpf_hash_remove(struct mapsync_map *m, const void *key, long timeout_ms);
int mapsync__bpf_hash_add(struct mapsync_map *m, const void *key, uint32_t field_offset, uint32_t field_size,
                          int64_t delta, int64_t *previous, long timeout_ms);
int mapsync__bpf_hash_iter_begin(struct mapsync_map *m, struct mapsync_hash_iter *it);
int mapsync__bpf_hash_next(struct mapsync_hash_iter *it, void *key, void *value);
void mapsync__bpf_hash_iter_end(struct mapsync_hash_iter *it);
/* The §10.2 hash of a key with `seed`; a bpf hash map's stripe is its segment with seed 0 (FORMAT.md §10.8). */
uint64_t mapsync__key_hash(const uint8_t *key, uint32_t size, uint64_t seed);
/* Adds `delta` to the size-byte integer at `at`, wrapping at its width; returns the bits before, sign-extended. */
int64_t mapsync__add_in_place(uint8_t *at, uint32_t size, int64_t delta);

/* Process slots (slot.c): claims one for a read-write handle whose liveness file is m->lock_fd; sets m->token. */
int mapsync__claim_slot(struct mapsync_map *m);
struct mapsync_slot *mapsync__slot(const struct mapsync_map *m, uint32_t slot);
/* True if the token's slot has not been claimed again since the token was handed out. */
bool mapsync__token_current(const struct mapsync_map *m, uint32_t token);

/* The stripe that guards entry `index`: one lock per entry is the common case, and a division costs more than an
 * uncontended lock. */
static inline uint32_t mapsync__stripe_of(const struct mapsync_map *m, uint32_t index) {
    return m->lock_stripes == m->entries ? index : index % m->lock_stripes;
}

/* Lock records (lock.c): the record of a stripe, the map-wide record. */
struct mapsync_lock *mapsync__stripe(const struct mapsync_map *m, uint32_t stripe);
struct mapsync_lock *mapsync__map_record(const struct mapsync_map *m);
/* True if entry `index` is one the record guards. */
bool mapsync__guards(const struct mapsync_map *m, const struct mapsync_lock *rec, uint32_t index);
/* True if the calling thread holds the lock of `rec` through this handle. */
bool mapsync__held(const struct mapsync_map *m, const struct mapsync_lock *rec);

/* The sequence word and the writing word of a record, as the one 8-byte word FORMAT.md §4.2 stores them in. */
static inline uint64_t *mapsync__seq_word(struct mapsync_lock *rec) {
    return (uint64_t *)&rec->sequence;
}

/* Takes and releases the lock of a stripe (a hash map's segment) for one operation of the library's own. */
int mapsync__lock_stripe(struct mapsync_map *m, uint32_t stripe, long timeout_ms, bool *previous_owner_died);
void mapsync__unlock_stripe(struct mapsync_map *m, uint32_t stripe);
/* The segment (and so the lock stripe) of a hash map key (FORMAT.md §10.2). */
uint32_t mapsync__hash_segment(const struct mapsync_map *m, const void *key);

/* Records a hash map's change: the slot (segment x slots + slot), its kind, and the key's bytes (changes.c). */
void mapsync__record_keyed(struct mapsync_map *m, uint32_t slot, uint32_t kind, const void *key);

/* Counter maps (counter.c, FORMAT.md §11): the control offsets of the used bitmap and its summary, the block alignment; marks the slot
 * of a read-write handle used before its first add. */
#define MAPSYNC_COUNTER_USED 33024ull
#define MAPSYNC_COUNTER_SUMMARY (MAPSYNC_COUNTER_USED + 128)
#define MAPSYNC_COUNTER_ALIGN 128ull
void mapsync__mark_counter_slot(struct mapsync_map *m);

/* Frees the barrier seat this handle holds, if any (barrier.c; at close). */
void mapsync__leave_barrier(struct mapsync_map *m);

/* Ends a write window: the even sequence and the writing word that goes with it, in one release store. */
void mapsync__end_window(struct mapsync_lock *rec, uint32_t even);

#pragma GCC visibility pop

#endif
