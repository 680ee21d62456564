/*
 * mapsync.h: libmapsync, the C side of mapsync's shared-memory protocol (docs/FORMAT.md, layout version 2).
 *
 *   struct mapsync_map m;
 *   if (mapsync_open(&m, "accounts", 0) != 0) { fprintf(stderr, "%s\n", m.error); exit(1); }
 *   uint32_t both[] = {3, 7};
 *   bool died;
 *   if (mapsync_lock_many(&m, both, 2, 1000, &died) == 0) {  // ascending stripes: no deadlock with Java's lockAll
 *       struct account a;
 *       mapsync_read(&m, 3, &a, 1000);
 *       a.balance -= 1;
 *       mapsync_write(&m, 3, &a);                              // never seen half-written (FORMAT.md §4.2)
 *       ...
 *       mapsync_unlock_many(&m, both, 2);
 *   }
 *   mapsync_close(&m);
 *
 * What it offers:
 *   - mapsync_open: a map of any type (array, hash, ring, barrier, counter) by name (in $MAPSYNC_DIR, else the default
 *     folder: /dev/shm/mapsync for root, /dev/shm/mapsync-UID for other users), by path (anything with a '/'), or a
 *     bpf map by name ("bpf:NAME"). The folder, the file, the header and the map type's whole geometry are checked as
 *     the Java library checks them (FORMAT.md §2, §5, §7.1, §9, §10.1). A read-write open claims a process slot
 *     (FORMAT.md §4.1): the handle then owns locks that other processes can take over when this one dies.
 *   - mapsync_create: a new shm map of any type, made as the Java library makes it, and left open read-write.
 *   - Values: MAPSYNC_VALUE / mapsync_value (a typed pointer) and the atomics Java's LongSlots/IntSlots use (inline, and
 *     exported as mapsync_fetch_add / mapsync_compare_and_set for other languages).
 *   - mapsync_read / mapsync_write: a value wider than one scalar read or written consistently under its stripe's
 *     sequence word (FORMAT.md §4.2).
 *   - Locks: mapsync_lock / mapsync_lock_many (ascending order) / mapsync_lock_map with a timeout, taken over from
 *     an owner that died (reported through *previous_owner_died), refused to the thread that holds them already.
 *   - Changes (FORMAT.md §4.3): recorded by every write, and read through a cursor (mapsync_subscribe, mapsync_poll).
 *   - Rings and queues (FORMAT.md §7): claim, commit, discard, seal; the one consumer. Kernel rings (§8, bpf backend):
 *     the consumer of a BPF_MAP_TYPE_RINGBUF (read from its pages) and the producers of a BPF_MAP_TYPE_USER_RINGBUF.
 *   - Barriers (FORMAT.md §9): await with a timeout, reset.
 *   - Counter maps (FORMAT.md §11): add into this process's own cell, sum every process's cells, sum then reset,
 *     and each cell.
 *   - Hash maps (FORMAT.md §10): get without a lock, put, remove, iterate; key locks (mapsync_hash_lock_keys),
 *     a consistent multi-key read (mapsync_hash_get_all) and adding to an integer field (mapsync_hash_add); on the
 *     bpf backend (§10.8) the same calls on a kernel hash map, each a bpf(2) call.
 *   - mapsync_schema_fields: a schema text parsed into fields with their C offsets.
 * Thread safety: one handle may be used by several threads at once, except mapsync_open and mapsync_close; a lock is
 * held by the thread that took it (re-entry is refused by kernel thread id). m->error holds the sentence of the
 * handle's last failure.
 *
 *   - Per-CPU kernel maps (PERCPU_ARRAY, PERCPU_HASH, LRU_PERCPU_HASH; FORMAT.md §6, §10.8): m->cpus values per
 *     element, read as their sum (mapsync_read, mapsync_hash_get, iteration) or one per CPU (mapsync_read_per_cpu,
 *     mapsync_hash_get_per_cpu, mapsync_hash_next_per_cpu), written as every CPU's value (mapsync_write,
 *     mapsync_hash_put).
 *
 * Build: link with -lmapsync (pkg-config --cflags --libs mapsync). A library built with WITH_LIBBPF=1 opens bpf
 * maps (arrays, per-CPU arrays, hash maps and their per-CPU variants, kernel rings) through libbpf; without it,
 * opening a bpf map fails with -ENOTSUP.
 *
 * Errors: every function that can fail returns 0 or a negative errno and leaves a sentence in m->error. -ENOENT no
 * such map; -EACCES / -EPERM permission; -EBADMSG not a complete mapsync map (foreign, truncated, inconsistent, or
 * a word in shared memory no peer following the format writes); -EPROTO a newer layout version; -EMEDIUMTYPE another
 * kind of map than asked, or a kernel map that does not match its sidecar; -ETIMEDOUT a deadline passed; -ENOTSUP a
 * bpf map without libbpf, or what a per-CPU map does not have (atomics, adds); -EPERM an operation only BPF programs may do on a kernel ring; -EINVAL a bad argument;
 * -ERANGE an index out of range; -EBADF a read-only handle asked to lock or write; -EDEADLK the calling thread
 * already holds the lock; -ENOLCK the calling thread does not hold the lock it releases; -ENOTRECOVERABLE an entry a
 * dead writer left half-written; -EUSERS every process slot is taken. mapsync_exit_code maps them to the exit codes
 * of the mapsync command.
 */
#ifndef MAPSYNC_H
#define MAPSYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MAPSYNC_VERSION 2
#define MAPSYNC_DEFAULT_DIR "/dev/shm/mapsync" /* root's; every other user's is this followed by "-UID" */
#define MAPSYNC_DIR_ENV "MAPSYNC_DIR"
#define MAPSYNC_PIN_DIR "/sys/fs/bpf/mapsync"
#define MAPSYNC_OPEN_TIMEOUT_MS 5000

/* header flags (FORMAT.md §2): a read replica (§12.1); mapsync_open refuses to open one read-write (EROFS) */
#define MAPSYNC_FLAG_REPLICA 1u

/* mapsync_open flags */
#define MAPSYNC_READ_ONLY 1 /* map PROT_READ and claim no process slot: reads only */

enum { MAPSYNC_BACKEND_SHM = 0, MAPSYNC_BACKEND_BPF = 1 };
enum { MAPSYNC_TYPE_ARRAY = 1, MAPSYNC_TYPE_HASH = 2, MAPSYNC_TYPE_RING = 3, MAPSYNC_TYPE_BARRIER = 4, MAPSYNC_TYPE_COUNTER = 5 };
enum { MAPSYNC_HEADER_SIZE = 4096, MAPSYNC_SCHEMA_TEXT_MAX = 4096 - 256 };

/* The header at the start of a map file or a bpf map's sidecar (FORMAT.md §2). Little-endian. */
struct mapsync_header {
    char magic[8];                /*   0  "MAPSYNC\0" */
    uint32_t version;             /*   8  layout version */
    uint32_t ready;               /*  12  1 when usable; read with acquire */
    uint32_t map_type;            /*  16  MAPSYNC_TYPE_* */
    uint32_t backend;             /*  20  0 = shm, 1 = bpf (this file is the sidecar) */
    uint32_t key_size;            /*  24  4 for arrays */
    uint32_t value_size;          /*  28 */
    uint32_t stride;              /*  32  value size rounded up to 8 */
    uint32_t entries;             /*  36  rings: capacity in bytes; barriers: parties */
    uint32_t creator_pid;         /*  40 */
    uint32_t flags;               /*  44  MAPSYNC_FLAG_REPLICA: a read replica, which only its follower writes */
    uint64_t creator_start_time;  /*  48  clock ticks since boot */
    uint64_t created_at_ns;       /*  56  since the epoch */
    uint64_t control_offset;      /*  64  4096 */
    uint64_t control_length;      /*  72 */
    uint64_t data_offset;         /*  80  0 for bpf sidecars */
    uint64_t data_length;         /*  88 */
    uint64_t file_length;         /*  96 */
    uint32_t key_schema_length;   /* 104 */
    uint32_t value_schema_length; /* 108 */
    uint32_t lock_stripes;        /* 112  entry i uses stripe i % lock_stripes */
    uint32_t changelog_capacity;  /* 116 */
    uint64_t creator_pid_ns;      /* 120 */
    uint32_t bpf_map_id;          /* 128  bpf sidecars (FORMAT.md §6): kernel map id when made */
    uint32_t bpf_map_type;        /* 132  2 array, 1 hash, 9 lru_hash, 27 ringbuf, 31 user_ringbuf, ... */
    uint32_t bpf_map_flags;       /* 136  1024 = BPF_F_MMAPABLE */
    uint32_t bpf_access;          /* 140  0 = mmap, 1 = syscall, 2 = syscall with BPF_F_LOCK */
    uint32_t bpf_pin_length;      /* 144 */
    char bpf_pin[108];            /* 148  zero-padded */
    char schema_text[];           /* 256  key schema text, then value schema text */
};

/* A process slot of the control region (FORMAT.md §4.1). */
struct mapsync_slot {
    uint32_t generation; /* 0  low 20 bits are part of the owner token, never 0 once claimed */
    uint32_t pid;        /* 4 */
    uint64_t start_time; /* 8 */
    uint64_t pid_ns;     /* 16 */
    uint64_t claimed_ms; /* 24 */
};

/* A lock record of the control region (FORMAT.md §4.2): one cache line. */
struct mapsync_lock {
    uint32_t word;      /*  0  0 free; bits 0..29 owner token; bit 30 reserved; bit 31 waiters sleep */
    uint32_t owner_pid; /*  4 */
    uint64_t thread;    /*  8  Java: Thread.threadId(); C: the kernel thread id */
    uint64_t since_ms;  /* 16 */
    uint32_t sequence;  /* 24  odd while a write is in progress */
    uint32_t writing;   /* 28  index + 1 of the entry being written */
    uint32_t torn[4];   /* 32  index + 1 of entries a dead writer left half-written; 0xFFFFFFFF: all */
    uint32_t recovered; /* 48 */
    uint32_t reserved[3];
};

_Static_assert(offsetof(struct mapsync_header, creator_start_time) == 48, "FORMAT.md §2");
_Static_assert(offsetof(struct mapsync_header, creator_pid_ns) == 120, "FORMAT.md §2");
_Static_assert(offsetof(struct mapsync_header, bpf_pin) == 148, "FORMAT.md §6");
_Static_assert(offsetof(struct mapsync_header, schema_text) == 256, "FORMAT.md §2");
_Static_assert(sizeof(struct mapsync_slot) == 32, "FORMAT.md §4.1");
_Static_assert(sizeof(struct mapsync_lock) == 64, "FORMAT.md §4.2");

/* Control region offsets (FORMAT.md §4). */
#define MAPSYNC_MAP_LOCK_OFFSET 0
#define MAPSYNC_EVENT_BLOCK_OFFSET 64
#define MAPSYNC_SLOTS_OFFSET 256
#define MAPSYNC_SLOT_COUNT 1024
#define MAPSYNC_STRIPES_OFFSET (MAPSYNC_SLOTS_OFFSET + MAPSYNC_SLOT_COUNT * 32)
#define MAPSYNC_OFD_BASE (1LL << 40) /* process slot s: an OFD write lock on byte OFD_BASE + s of the liveness file */
#define MAPSYNC_LIVE_SUFFIX ".live"   /* the liveness file: <map file>.live (FORMAT.md §4.1) */
#define MAPSYNC_TOKEN_MASK 0x3FFFFFFFu
#define MAPSYNC_WAITERS 0x80000000u
#define MAPSYNC_ALL_TORN 0xFFFFFFFFu

/* An open map. Every field is filled by mapsync_open; treat them as read-only. */
struct mapsync_map {
    int fd;                             /* the map file, or the bpf map's sidecar */
    int bpf_fd;                         /* the kernel map (bpf maps), else -1 */
    int lock_fd;                        /* the liveness file: read-write (holding the slot's OFD lock) for a read-write
                                           handle; read-only, or -1 when its mode keeps this process out, otherwise */
    bool read_only;
    const struct mapsync_header *header; /* a copy of the header as it was checked at open (4096 bytes) */
    uint8_t *file;                      /* the file's mapping: header, control region (and data for shm) */
    size_t file_length;
    uint8_t *control;                   /* the control region */
    uint8_t *data;                      /* arrays: value i at data + i * stride; shm hash maps and rings: the region;
                                           kernel rings: the kernel map's pages (consumer page, producer page, then the
                                           records twice in a row, FORMAT.md §8) */
    size_t data_length;
    struct mapsync_lock *locks;         /* lock_stripes records (arrays and hash maps) */
    uint32_t map_type, backend, key_size, value_size, stride, entries, lock_stripes;
    uint32_t scalar_size;               /* arrays: 1, 2, 4 or 8 when a value is one scalar, else 0 */
    uint32_t token;                     /* the owner token of this handle's process slot; 0 when read-only */
    int32_t seat;                       /* barriers: the seat this handle holds as a party, -1 before its first await */
    uint32_t cpus;                      /* per-CPU kernel maps: the possible CPUs, one value each per element; else 0 */
    struct {                            /* shm hash maps: the table's geometry, checked at open (FORMAT.md §10.1) */
        uint64_t seed, segment_size, segments_offset;
        uint32_t slots, slot_size, segment_header, key_stride, value_stride, inserts;
        /* bpf hash maps (FORMAT.md §10.8): the kernel's value size (with a bpf_spin_lock before the value, access 2)
           and where the value starts in it (per-CPU maps: cpus values, each round_up(value_size, 8) apart);
           key_stride is the changelog's key slot size */
        uint32_t kernel_value_size, kernel_value_offset;
    } hash;
    char name[256];                     /* as given to mapsync_open, for messages */
    char key_schema[MAPSYNC_SCHEMA_TEXT_MAX + 1];
    char value_schema[MAPSYNC_SCHEMA_TEXT_MAX + 1];
    char pin[109];                      /* bpf maps: where the kernel map is pinned */
    char error[512];                    /* why the last call failed */
};

/* ------------------------------------------------------------------------------------------------- opening */

/*
 * Opens a map: "NAME" (in $MAPSYNC_DIR, else the default folder; a bpf map's sidecar opens its bpf map), "bpf:NAME"
 * (must be a bpf map), "shm:NAME", or a path containing '/'. flags: 0 or MAPSYNC_READ_ONLY (a read replica opens
 * only so: -EROFS otherwise). A read-write open claims a process slot (making the liveness file if the map has none,
 * as Java does). Returns 0, or a negative errno with the reason in m->error (and nothing left open).
 */
int mapsync_open(struct mapsync_map *m, const char *map, int flags);

/* What mapsync_create makes; zero fields take the defaults Java's specs take. */
struct mapsync_create_spec {
    uint32_t map_type;            /* MAPSYNC_TYPE_ARRAY, _HASH, _RING, _BARRIER or _COUNTER */
    const char *key_schema;       /* hash maps: the keys' schema text ("u64", "id:u32,zone:u16", ...) */
    const char *value_schema;     /* arrays and hash maps: the values'; rings: the records' (a queue), or NULL */
    uint32_t entries;             /* arrays: entries; hash maps: capacity; rings: capacity in bytes (a power of two
                                     from 4096 to 1 GiB); barriers: parties (1..1024); counter maps: counters
                                     (1..1024), whose value schema is "i64" (NULL takes it) */
    uint32_t lock_stripes;        /* arrays: lock stripes, hash maps: segments; 0: min(entries, 4096), and for hash maps
                                     one segment per 128 entries, 1..4096 */
    uint32_t changelog_capacity;  /* arrays and hash maps: a power of two, at least 16; 0: 4096 */
    uint32_t mode;                /* the map file's permission bits; 0: 0600 */
};

/*
 * Creates an shm map as the Java library creates it (FORMAT.md §2, §5): "NAME" in $MAPSYNC_DIR, else the default
 * folder (made if missing), or a path containing '/'. The file is made with O_EXCL (of racing creators one wins; the
 * others get -EEXIST), sized and allocated, its header written, its liveness file made, and its ready word published
 * last with release semantics; a creator that dies midway leaves a file openers report as never finished (remove it
 * with mapsync rm). On success the map is open read-write in `m`, as mapsync_open leaves it; on failure nothing is
 * left behind and m->error says why: -EEXIST a map of that name exists; -EINVAL a bad spec; -EACCES / -EPERM the
 * folder refuses; -ENOSPC no memory to back the map.
 */
int mapsync_create(struct mapsync_map *m, const char *map, const struct mapsync_create_spec *spec);

/* Closes what an open map holds and gives its process slot up (locks still held pass to the next locker as a dead
 * owner's). Safe on a map whose open failed, and twice. */
void mapsync_close(struct mapsync_map *m);

/* The exit code the mapsync command gives for a negative errno from this library (see mapsync --help). */
int mapsync_exit_code(int rc);

/* ------------------------------------------------------------------------------------------------- schema */

enum mapsync_kind {
    MAPSYNC_I8, MAPSYNC_I16, MAPSYNC_I32, MAPSYNC_I64, MAPSYNC_U8, MAPSYNC_U16, MAPSYNC_U32, MAPSYNC_U64,
    MAPSYNC_F32, MAPSYNC_F64, MAPSYNC_BOOL, MAPSYNC_CHARS
};

/* One scalar, scalar array or string of a value, with its place in the value. */
struct mapsync_field {
    char name[128];         /* "balance", "pos.x" for field x of struct field pos; "" when the value is one type */
    enum mapsync_kind kind;
    uint32_t offset;        /* from the start of the value */
    uint32_t size;          /* of one element: 1, 2, 4 or 8; 1 for char[N] */
    uint32_t count;         /* N for scalar[N] and char[N], else 1 */
    bool array;             /* scalar[N] */
};

/*
 * Parses a schema text (such as "id:i64,owner:char[16],pos:{x:f32,y:f32}") into at most `max` fields, in layout
 * order, nested struct fields flattened with dotted names. Sets *size to sizeof the value. Returns the number of
 * fields, -EINVAL for a text that is not a schema, or -ENOSPC when there are more than `max` fields.
 */
int mapsync_schema_fields(const char *schema, struct mapsync_field *fields, int max, uint32_t *size);

/* The byte offset of field `name` (as mapsync_schema_fields names it) in the map's values, or -ENOENT. */
long mapsync_field_offset(const struct mapsync_map *m, const char *name);

/* -------------------------------------------------------------------------------------------------- values */

/* Array value `index`, or NULL when it is out of range (or the map is not an array with mapped values). */
static inline void *mapsync_value(const struct mapsync_map *m, uint32_t index) {
    return m->map_type == MAPSYNC_TYPE_ARRAY && m->data != NULL && index < m->entries
           ? m->data + (size_t)index * m->stride : NULL;
}

/* A pointer of `type` to value `index` (or to a field at `offset` in it with MAPSYNC_FIELD); NULL out of range. */
#define MAPSYNC_VALUE(m, type, index) ((type *)mapsync_value((m), (index)))
#define MAPSYNC_FIELD(m, type, index, offset) \
    ((type *)(mapsync_value((m), (index)) == NULL ? NULL : (uint8_t *)mapsync_value((m), (index)) + (offset)))

/* Atomics on aligned 64- and 32-bit values or fields: the instructions Java's LongSlots/IntSlots use. */
static inline int64_t mapsync_fetch_add_i64(int64_t *p, int64_t delta) { return __atomic_fetch_add(p, delta, __ATOMIC_SEQ_CST); }
static inline int32_t mapsync_fetch_add_i32(int32_t *p, int32_t delta) { return __atomic_fetch_add(p, delta, __ATOMIC_SEQ_CST); }
static inline int64_t mapsync_load_acquire_i64(const int64_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static inline int32_t mapsync_load_acquire_i32(const int32_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static inline void mapsync_store_release_i64(int64_t *p, int64_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }
static inline void mapsync_store_release_i32(int32_t *p, int32_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }
static inline int64_t mapsync_exchange_i64(int64_t *p, int64_t v) { return __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST); }
/* Sets *p to `desired` if it holds *expected; else stores what it holds in *expected. True if it set it. */
static inline bool mapsync_cas_i64(int64_t *p, int64_t *expected, int64_t desired) {
    return __atomic_compare_exchange_n(p, expected, desired, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}
static inline bool mapsync_cas_i32(int32_t *p, int32_t *expected, int32_t desired) {
    return __atomic_compare_exchange_n(p, expected, desired, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

/*
 * The same atomics as exported functions, for callers that cannot use inline ones (another language's foreign-function
 * interface): on the aligned integer of `size` bytes (4 or 8) at `offset` in array value `index` (0 for a value that is
 * one integer; mapsync_field_offset for a field). mapsync_fetch_add adds `delta` (truncated to 32 bits for size 4) and
 * stores the value before in *previous; mapsync_compare_and_set sets `desired` if the integer holds `expected` and
 * stores what it held in *witness (equal to `expected` when it set it). Both record a change (MAPSYNC_CHANGE_ATOMIC)
 * when they change the value. Returns 0; -ERANGE; -EBADF for a read-only handle; -EMEDIUMTYPE not an array; -EINVAL
 * for a size other than 4 or 8, or an offset not aligned to it or beyond the value.
 */
int mapsync_fetch_add(struct mapsync_map *m, uint32_t index, uint32_t offset, uint32_t size, int64_t delta,
                      int64_t *previous);
int mapsync_compare_and_set(struct mapsync_map *m, uint32_t index, uint32_t offset, uint32_t size, int64_t expected,
                            int64_t desired, int64_t *witness);

/* ------------------------------------------------------------------------------------- consistent records */

/*
 * Copies array value `index` into `out` (value_size bytes), never torn (FORMAT.md §4.2): between two reads of its
 * stripe's sequence word, retrying while a write is in progress. A value that is one scalar is one atomic load.
 * Returns 0; -ERANGE for an index out of range; -ENOTRECOVERABLE when a writer died while writing this entry (it stays
 * so until a lock owner writes it again); -ETIMEDOUT when a live writer kept the stripe's sequence odd for timeout_ms
 * (0 or less: no wait past a short spin), or the sequence changed under every attempt for that long.
 */
int mapsync_read(struct mapsync_map *m, uint32_t index, void *out, long timeout_ms);

/*
 * Writes array value `index` from `value` (value_size bytes) so that no reader sees it half-written: inside an odd
 * window of its stripe's sequence word, under the entry's lock. If the calling thread holds that lock it is used;
 * otherwise it is taken (waiting up to timeout_ms) and released after. A value that is one scalar is one release
 * store. A torn entry is whole again once written. Returns 0, -ERANGE, -EBADF (read-only), or what mapsync_lock
 * returns.
 */
int mapsync_write(struct mapsync_map *m, uint32_t index, const void *value, long timeout_ms);

/* ---------------------------------------------------------------------------------------- per-CPU maps */

/*
 * Per-CPU kernel maps (a library built WITH_LIBBPF=1; FORMAT.md §6, §10.8): a BPF_MAP_TYPE_PERCPU_ARRAY (an array),
 * PERCPU_HASH or LRU_PERCPU_HASH (a hash map) holds one value per possible CPU for each element, which BPF programs
 * update on their own CPU without atomics. m->cpus is the number of possible CPUs (the count of
 * /sys/devices/system/cpu/possible, as libbpf_num_possible_cpus()), checked at open with the kernel's value size, so
 * every copy fits its buffer; it is 0 for every other map. Every access is one bpf(2) copy of all CPUs' values.
 *
 * As one value (Java's get), an element is the sum of its CPUs' values, field by field over the value schema: an
 * integer field (of any width, signed or not, and each element of an integer array) is the sum wrapped to its width
 * (two's complement, as the kernel's counters wrap); an f32 / f64 field is the float sum in that precision, CPU 0
 * first, then CPU 1, ...; a bool or char[N] field, and padding, is CPU 0's. mapsync_read, mapsync_hash_get,
 * mapsync_hash_get_all and mapsync_hash_next give that sum. mapsync_write and mapsync_hash_put write the value as
 * every CPU's (Java's set and put); mapsync_hash_remove removes the key. Not offered, as in Java: mapsync_fetch_add,
 * mapsync_compare_and_set and mapsync_hash_add (an add would write the new sum as every CPU's value) fail with
 * -ENOTSUP; mapsync_value is NULL (the values cannot be mapped). Locks, changes and key locks work as on other maps.
 */

/* Every CPU's value of array entry `index` into `values`: m->cpus values, CPU c's at values + c * value_size (a C
 * array of the value type), from one lookup. Returns 0; -ERANGE; -EMEDIUMTYPE not a per-CPU array. */
int mapsync_read_per_cpu(struct mapsync_map *m, uint32_t index, void *values);

/* Every CPU's value of `key` of a per-CPU hash map into `values`, laid out as mapsync_read_per_cpu lays them out, from
 * one lookup. Returns 0; -ENOENT the key is absent; -EMEDIUMTYPE not a per-CPU hash map. */
int mapsync_hash_get_per_cpu(struct mapsync_map *m, const void *key, void *values);

/* The sum (as defined above) of m->cpus values laid out as mapsync_read_per_cpu lays them out, into `sum`
 * (value_size bytes). Returns 0, or -EMEDIUMTYPE for a map that is not per-CPU. */
int mapsync_per_cpu_sum(struct mapsync_map *m, const void *values, void *sum);

/* ------------------------------------------------------------------------------------------------- locks */

/*
 * Takes the lock of the stripe that guards entry `index` (FORMAT.md §4.2), waiting at most timeout_ms (0: do not
 * wait for a live owner). A lock whose owner died is taken over, and so is one left with a write unfinished; either
 * sets *previous_owner_died (when it is not NULL), and the entry a dead writer was writing is then torn until it is
 * written again. Returns 0; -ETIMEDOUT (m->error names the owner, alive or dead, and since when it holds the lock);
 * -EDEADLK if the calling thread holds it already; -EBADF for a read-only handle; -ERANGE.
 */
int mapsync_lock(struct mapsync_map *m, uint32_t index, long timeout_ms, bool *previous_owner_died);

/* Releases the lock of entry `index`. Returns 0, or -ENOLCK if the calling thread does not hold it; -ERANGE. */
int mapsync_unlock(struct mapsync_map *m, uint32_t index);

/*
 * Takes the locks of `n` entries as one, their stripes in ascending order (as Java's lockAll does), so that processes
 * locking overlapping sets cannot deadlock; entries that share a stripe share its lock. All within one deadline of
 * timeout_ms, or none is kept. *previous_owner_died is set if any lock was taken over.
 */
int mapsync_lock_many(struct mapsync_map *m, const uint32_t *indexes, size_t n, long timeout_ms, bool *previous_owner_died);

/* Releases what mapsync_lock_many took, in the reverse order. Returns 0 or the first failure. */
int mapsync_unlock_many(struct mapsync_map *m, const uint32_t *indexes, size_t n);

/*
 * The map-wide lock (control offset 0). It is separate from the entry locks: holding it does not stop anyone from
 * locking or writing entries. Use it for protocols that span the map among cooperating processes.
 */
int mapsync_lock_map(struct mapsync_map *m, long timeout_ms, bool *previous_owner_died);
int mapsync_unlock_map(struct mapsync_map *m);

/* True if the calling thread holds the lock of entry `index` through this handle. */
bool mapsync_holds(const struct mapsync_map *m, uint32_t index);

/*
 * True if the handle that owner `token` names is still open (FORMAT.md §4.1): its slot's generation still matches
 * and the kernel says the slot's OFD lock on the liveness file is held. This handle's own token is alive. Without the
 * liveness file, the slot record decides (pid and start time in this pid namespace; alive in another).
 */
bool mapsync_owner_alive(const struct mapsync_map *m, uint32_t token);

/* ----------------------------------------------------------------------------------------------- changes */

/* The kinds of change (FORMAT.md §4.3), and the kind of a count of changes the log lost before they were read. */
enum { MAPSYNC_CHANGES_MISSED = 0, MAPSYNC_CHANGE_WRITE = 1, MAPSYNC_CHANGE_ATOMIC = 2, MAPSYNC_CHANGE_REMOVE = 3 };

/* One change, or (kind MAPSYNC_CHANGES_MISSED) `count` changes from `seq` on that were overwritten before they were read. */
struct mapsync_change {
    uint64_t seq;   /* its sequence number; of the first missed one */
    uint64_t count; /* 1, or the missed changes */
    uint32_t key;   /* the entry index (for hash maps the slot the key was in) */
    uint32_t pid;   /* the writer's pid, in its pid namespace */
    uint32_t kind;
};

/* A subscription to a map's changes. */
struct mapsync_cursor {
    struct mapsync_map *map;
    uint64_t next; /* the sequence number of the next change to hand out */
    bool open;
    uint64_t pending_until; /* CLOCK_MONOTONIC ns: the end of the wait for changes reserved, not published; 0: none */
    uint64_t held_at;       /* the change a poll stopped at, at its deadline, not yet published then; 0: none */
};

/*
 * Records that entry `key` changed (`kind`: MAPSYNC_CHANGE_*), if anyone subscribes, waking the subscribers that
 * sleep. mapsync_write records its writes itself; call this after changing a value with an atomic
 * (MAPSYNC_CHANGE_ATOMIC), once the change is visible. Returns 0, -EBADF for a read-only handle.
 */
int mapsync_record_change(struct mapsync_map *m, uint32_t key, uint32_t kind);

/*
 * Subscribes to every change of the map recorded from now on, by any process (needs a read-write handle: the
 * subscription counts in the map). Returns 0 or -EBADF.
 */
int mapsync_subscribe(struct mapsync_map *m, struct mapsync_cursor *c);

/*
 * The changes recorded since the last poll, in sequence order, at most `max` (at least 2) into `out`, waiting up to
 * timeout_ms for one (sleeping on the map's head word). Changes the log no longer holds come as one entry of kind
 * MAPSYNC_CHANGES_MISSED each run; so do changes reserved and not published within a second (their writers died
 * between two stores), a wait that goes on across polls, none of which waits past its own timeout. Returns the number
 * of entries (0: none in time), or -EBADMSG for a changelog no writer following the format leaves (its head went
 * back; a change of an entry the map does not have).
 */
int mapsync_poll(struct mapsync_cursor *c, struct mapsync_change *out, size_t max, long timeout_ms);

/*
 * mapsync_poll for a hash map, with each change's key: the key of out[i] is copied to key_buffer + i * key_size
 * (key_buffer has room for `max` keys; entries of kind MAPSYNC_CHANGES_MISSED leave theirs untouched). A change's
 * `key` field is the slot the key was in, which names no key once others moved.
 */
int mapsync_poll_keyed(struct mapsync_cursor *c, struct mapsync_change *out, void *key_buffer, size_t max, long timeout_ms);

/* Ends the subscription. Safe twice. */
void mapsync_unsubscribe(struct mapsync_cursor *c);

/* -------------------------------------------------------------------------------------------------- rings */

/* A record claimed in a ring: write `length` bytes at `payload`, then commit or discard it. */
struct mapsync_claim {
    uint64_t position;
    uint32_t length;
    uint8_t *payload;
};

/*
 * Claims a record of `length` bytes in an shm ring (FORMAT.md §7.4), or in a kernel user ring (§8.1: the kernel's
 * pages, claims serialized by the sidecar's reserve lock), waiting up to timeout_ms for room (a user ring's room comes
 * when a BPF program drains it, which wakes no one: the producer looks again every millisecond). Returns 0; -EAGAIN
 * the ring is full; -EPIPE it is sealed; -EMSGSIZE the record can never fit; -EBADMSG corrupt positions; -EPERM a
 * kernel ring buffer (BPF_MAP_TYPE_RINGBUF), which only BPF programs produce into (commit, discard and seal too);
 * -ETIMEDOUT the reserve lock stayed held for timeout_ms (30 s when timeout_ms is 0) and at least 10 ms, which only
 * a peer that wrote a live token into it does (the message names the holder's pid).
 * A queue's records are its values, value_size bytes each. Commit (or discard) every claim: the consumer waits for it.
 */
int mapsync_ring_claim(struct mapsync_map *m, uint32_t length, long timeout_ms, struct mapsync_claim *claim);
int mapsync_ring_commit(struct mapsync_map *m, const struct mapsync_claim *claim);
int mapsync_ring_discard(struct mapsync_map *m, const struct mapsync_claim *claim);

/* Seals the ring: no claim succeeds after it; the consumer drains what was claimed before (FORMAT.md §7.6). A user
 * ring's seal refuses this library's and Java's claims; the BPF program that drains it does not look at it.
 * -ETIMEDOUT if the reserve lock stayed held for 30 s, as mapsync_ring_claim says. */
int mapsync_ring_seal(struct mapsync_map *m);

/* The one consumer of a ring. */
struct mapsync_consumer {
    struct mapsync_map *map;
    uint64_t position;           /* the consumer position */
    uint64_t busy_at, busy_since;
    uint64_t lost;               /* records this consumer skipped because their producer died before committing them */
    bool open;
};

/*
 * Becomes the ring's consumer (the OFD lock of FORMAT.md §7.7, on the sidecar's liveness file for a kernel ring, so
 * that Java's consumers and this library's exclude each other). Returns 0, -EBUSY while another lives, or -EPERM for
 * a kernel user ring, which only BPF programs consume (bpf_user_ringbuf_drain).
 */
int mapsync_consumer_open(struct mapsync_map *m, struct mapsync_consumer *c);

/*
 * Copies the next record (at most `max` bytes) into `out` and its length into *length, waiting up to timeout_ms
 * (sleeping in FUTEX_WAIT). Discarded records are skipped, and so are the records of producers that died before
 * committing them. Returns 0; -ETIMEDOUT none came; -EPIPE the ring is sealed and drained; -EMSGSIZE the record is
 * longer than `max` (*length says how long; it stays the next one); -EBADMSG a corrupt ring. A kernel ring buffer's
 * records are read from its pages, and the consumer sleeps in poll(2) on the map, which the kernel wakes when a BPF
 * program submits a record; it is never sealed, and its records are never lost (the kernel commits them).
 */
int mapsync_consume(struct mapsync_consumer *c, void *out, uint32_t max, uint32_t *length, long timeout_ms);

/* Gives the consumer role up. Safe twice. */
void mapsync_consumer_close(struct mapsync_consumer *c);

/* ------------------------------------------------------------------------------------------- counter maps */

/*
 * Counter maps (FORMAT.md §11): each counter is one i64 cell per process slot, and its value the sum of the cells. A
 * read-write handle adds into the cells of the slot it claimed at open: one atomic add on a cache line no other process
 * writes. A sum is not a snapshot while adds run (it counts every add completed before it began, and maybe some that
 * run meanwhile); no add is lost, even when its process dies. Each returns 0, -ERANGE (index), -EBADF (a read-only
 * handle adding or resetting) or -EMEDIUMTYPE (not a counter map).
 */
int mapsync_counter_add(struct mapsync_map *m, uint32_t index, int64_t delta);
int mapsync_counter_sum(struct mapsync_map *m, uint32_t index, int64_t *sum);
/* Exchanges each cell of the counter for 0 and gives what they held: each add counts once, here or in later sums. */
int mapsync_counter_sum_then_reset(struct mapsync_map *m, uint32_t index, int64_t *sum);

/* One process slot's cell of a counter: the slot, the pid of its latest holder, the value. */
struct mapsync_counter_cell {
    uint32_t slot;
    uint32_t pid;
    int64_t value;
};

/* The cells of counter `index` of every slot ever used, by slot, at most `max` of them; returns how many there are
 * (which may be more than max: then only max were written), or a negative errno. */
int mapsync_counter_cells(struct mapsync_map *m, uint32_t index, struct mapsync_counter_cell *cells, int max);

/* ------------------------------------------------------------------------------------------------ barriers */

/*
 * Waits at a barrier (FORMAT.md §9) until all its parties have arrived, up to timeout_ms; the first await makes the
 * handle a party (a seat, held until mapsync_close). *generation (when not NULL) is the generation it waited in.
 * Returns 0 when the generation tripped; -ETIMEDOUT (and the barrier is broken for the others); -EPIPE the barrier is
 * broken (m->error says why: a party died, timed out, or a reset); -EUSERS every seat is taken by a live party;
 * -EBADMSG a corrupt barrier.
 */
int mapsync_barrier_await(struct mapsync_map *m, long timeout_ms, uint64_t *generation);

/* Starts a fresh generation, failing whoever waits in the current one, and frees the seats of parties that are gone. */
int mapsync_barrier_reset(struct mapsync_map *m);

/* ---------------------------------------------------------------------------------------------- hash maps */

/*
 * Hash maps (FORMAT.md §10). A key is key_size bytes laid out as the key schema says (padding zero: two keys are
 * the same key when their bytes are); a value is value_size bytes.
 *
 * bpf hash maps (FORMAT.md §10.8, a library built WITH_LIBBPF=1): a kernel BPF_MAP_TYPE_HASH or LRU_HASH (or their
 * per-CPU variants, whose values are summed and replicated as "per-CPU maps" above says), every call
 * below a bpf(2) call. Puts, removes and adds take the key's stripe lock in the sidecar (the locks Java takes, so
 * read-modify-writes are atomic among mapsync processes; BPF programs do not take them) and record the change with
 * slot -1 and the key, which Java's watchers see. A get is one lookup, without a lock: whole against a concurrent
 * update only when the values sit behind a bpf_spin_lock (access 2: every copy passes BPF_F_LOCK), otherwise as the
 * kernel copies it. Iterating reads whole buckets with BPF_MAP_LOOKUP_BATCH: a key present all along is seen once.
 * What does not apply: an LRU map evicts instead of failing with -ENOSPC when full; -ETIMEDOUT for a get never
 * happens (no sequence words); mapsync_hash_iter's segment and slot fields are unused. A full kernel map fails a
 * new key with -ENOSPC (the kernel's E2BIG).
 *
 * mapsync_hash_get copies the value of `key` into `value` (NULL: only ask whether it is there) without a lock, never
 * torn, never waiting for a writer (a dead one's open window is read through its journal). Returns 0, -ENOENT when
 * the key is absent, -ETIMEDOUT when writers changed its segment under every attempt for timeout_ms, -EBADMSG.
 */
int mapsync_hash_get(struct mapsync_map *m, const void *key, void *value, long timeout_ms);

/* Inserts or replaces `key`'s value under its segment's lock (waiting up to timeout_ms), repairing what a dead writer
 * left first, and records the change. Returns 0, -ENOSPC when the map (or the key's segment) is full, -EBADF, or what
 * mapsync_lock returns. */
int mapsync_hash_put(struct mapsync_map *m, const void *key, const void *value, long timeout_ms);

/* Removes `key` (shifting the keys behind it back: no tombstone stays) and records the change. 0, or -ENOENT. */
int mapsync_hash_remove(struct mapsync_map *m, const void *key, long timeout_ms);

/*
 * Adds `delta` to the field_size-byte (1, 2, 4 or 8) integer at field_offset of `key`'s value (mapsync_field_offset
 * for a field by name), wrapping at its width, under the key's segment lock (waiting up to timeout_ms), as Java's
 * getAndAdd does: an absent key is inserted with a value of zeros but that field, which is `delta`. *previous (may be
 * NULL) gets the field before, sign-extended. Recorded as a change of kind MAPSYNC_CHANGE_ATOMIC. Returns 0, -EINVAL
 * (no such integer), -ENOSPC, or what mapsync_hash_put returns.
 */
int mapsync_hash_add(struct mapsync_map *m, const void *key, uint32_t field_offset, uint32_t field_size, int64_t delta,
                     int64_t *previous, long timeout_ms);

/*
 * Key locks, as Java's lock(key) / lockAll(keys...): takes the locks of the segments of `n` keys (keys: n * key_size
 * bytes), in ascending segment order within one deadline of timeout_ms, none kept on a failure; keys that share a
 * segment share its lock. While the calling thread holds them, its mapsync_hash_put / _remove / _add on those keys
 * run under them without taking them again, and every other thread and process waits. *previous_owner_died is set if
 * a lock was taken over from a dead owner. Returns 0, -ETIMEDOUT, -EDEADLK (held already), -EBADF (read-only).
 */
int mapsync_hash_lock_keys(struct mapsync_map *m, const void *keys, size_t n, long timeout_ms, bool *previous_owner_died);

/* Releases what mapsync_hash_lock_keys took. Returns 0, or -ENOLCK if the calling thread does not hold them. */
int mapsync_hash_unlock_keys(struct mapsync_map *m, const void *keys, size_t n);

/*
 * Reads `n` keys as one moment of the map (Java's getAll): under their segments' locks (those the calling thread
 * holds already are used as they are), the value of keys[i] into values + i * value_size (zeros if absent; values may
 * be NULL) and whether it is there into found[i] (may be NULL). Returns 0, or what mapsync_hash_lock_keys returns.
 */
int mapsync_hash_get_all(struct mapsync_map *m, const void *keys, size_t n, void *values, bool *found, long timeout_ms);

/* Iterates a hash map segment by segment, each copied at one moment (a bpf hash map: bucket by bucket, by batches):
 * a key present all along is seen exactly once. */
struct mapsync_hash_iter {
    struct mapsync_map *map;
    uint32_t segment, slot;
    uint8_t *copy;
};

int mapsync_hash_iter_begin(struct mapsync_map *m, struct mapsync_hash_iter *it);
/* Copies the next entry's key and value (of a per-CPU hash map, the sum of its CPUs' values): 1, 0 at the end, or a
 * negative errno. */
int mapsync_hash_next(struct mapsync_hash_iter *it, void *key, void *value);
/* The same on a per-CPU hash map, with every CPU's value of the entry (laid out as mapsync_read_per_cpu lays them
 * out); -EMEDIUMTYPE on another map. */
int mapsync_hash_next_per_cpu(struct mapsync_hash_iter *it, void *key, void *values);
void mapsync_hash_iter_end(struct mapsync_hash_iter *it);

#ifdef __cplusplus
}
#endif

#endif /* MAPSYNC_H */
