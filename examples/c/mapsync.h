/*
 * mapsync.h: open mapsync maps from C and share them with Java processes. Header-only; written from
 * docs/FORMAT.md (layout version 2), which is the contract.
 *
 *   struct mapsync_map m;
 *   if (mapsync_open(&m, "hits", 0) != 0) { fprintf(stderr, "%s\n", m.error); exit(1); }
 *   int64_t *slot = MAPSYNC_VALUE(&m, int64_t, 3);         // value 3, NULL if out of range
 *   mapsync_fetch_add_i64(slot, 1);                        // the same lock xadd as LongSlots.getAndAdd
 *   mapsync_close(&m);
 *
 * What it offers:
 *   - mapsync_open: a map by name (in $MAPSYNC_DIR, else the default folder: /dev/shm/mapsync for root,
 *     /dev/shm/mapsync-UID for other users), by path (anything with a '/'), or a bpf map by name ("bpf:NAME": its
 *     sidecar in that folder, else in the default folder of the pin's owner; its values in the kernel map pinned
 *     at the path the sidecar records, /sys/fs/bpf/mapsync/NAME for maps mapsync made). The folder and the file
 *     are checked as the Java library checks them (FORMAT.md §5): no symbolic link, a folder another user could
 *     have planted refused, a regular file owned by you or root in a folder others may write, magic, layout
 *     version, the ready word (read with acquire, waited for up to MAPSYNC_OPEN_TIMEOUT_MS), every geometry field,
 *     the value schema's size. The map's liveness file (NAME.live) is opened read-only when its mode allows, to ask
 *     the kernel whether a lock owner lives (FORMAT.md §4.1).
 *   - MAPSYNC_VALUE / mapsync_value: a typed pointer to a value, laid out as the schema text says (FORMAT.md §3).
 *   - mapsync_*_i64 / _i32: the atomics the Java side uses (__atomic builtins: lock-prefixed instructions on
 *     x86, interoperable with Java VarHandles and BPF_ATOMIC instructions).
 *   - mapsync_read: a consistent copy of a value wider than one scalar, by the sequence-word protocol
 *     (FORMAT.md §4.2): never torn, never blocked for ever by a writer that died, and refusing (with
 *     -ENOTRECOVERABLE) an entry a dead writer left half-written.
 *   - mapsync_schema_fields: the value schema text parsed into fields with C offsets, to print values field
 *     by field.
 * What it does not offer: taking entry locks or writing values wider than one scalar (that needs a process
 * slot and the robust-lock protocol of FORMAT.md §4); use atomics on fields from C.
 *
 * Build: needs POSIX.1-2008 (compile with -std=gnu11, or define _GNU_SOURCE before any #include). For bpf
 * maps, define MAPSYNC_WITH_LIBBPF before including this header and link with -lbpf: the pin is opened with
 * libbpf's bpf_obj_get and its values mapped with mmap. Without it, opening a bpf map fails with -ENOTSUP.
 *
 * Errors: every function that can fail returns 0 or a negative errno and, for mapsync_open, leaves a
 * sentence in m->error. -ENOENT no such map; -EACCES / -EPERM permission; -EBADMSG not a complete mapsync
 * map (foreign, truncated, inconsistent); -EPROTO a newer layout version; -EMEDIUMTYPE another kind of map
 * than asked (an shm map opened as bpf, a kernel map that differs from its sidecar); -ETIMEDOUT the creator
 * did not finish; -ENOTSUP a bpf map without MAPSYNC_WITH_LIBBPF; -EINVAL a bad name. mapsync_exit_code maps
 * them to the exit codes of the mapsync command.
 */
#ifndef MAPSYNC_H
#define MAPSYNC_H

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifdef MAPSYNC_WITH_LIBBPF
#include <bpf/bpf.h>
#include <linux/bpf.h>
#endif

#ifndef F_OFD_GETLK
#define F_OFD_GETLK 36 /* Linux 3.15; glibc shows it only with _GNU_SOURCE */
#endif

#define MAPSYNC_VERSION 2
#define MAPSYNC_DEFAULT_DIR "/dev/shm/mapsync" /* root's; every other user's is this followed by "-UID" */
#define MAPSYNC_DIR_ENV "MAPSYNC_DIR"
#define MAPSYNC_PIN_DIR "/sys/fs/bpf/mapsync"
#ifndef MAPSYNC_OPEN_TIMEOUT_MS
#define MAPSYNC_OPEN_TIMEOUT_MS 5000
#endif

/* mapsync_open flags */
#define MAPSYNC_READ_ONLY 1 /* map PROT_READ: reads and mapsync_read only */

enum { MAPSYNC_BACKEND_SHM = 0, MAPSYNC_BACKEND_BPF = 1 };
enum { MAPSYNC_TYPE_ARRAY = 1 };
enum { MAPSYNC_HEADER_SIZE = 4096, MAPSYNC_SCHEMA_TEXT_MAX = 4096 - 256 };

/* The header at the start of a map file or a bpf map's sidecar (FORMAT.md §2). Little-endian. */
struct mapsync_header {
    char magic[8];                /*   0  "MAPSYNC\0" */
    uint32_t version;             /*   8  layout version */
    uint32_t ready;               /*  12  1 when usable; read with acquire */
    uint32_t map_type;            /*  16  1 = array */
    uint32_t backend;             /*  20  0 = shm, 1 = bpf (this file is the sidecar) */
    uint32_t key_size;            /*  24  4 */
    uint32_t value_size;          /*  28 */
    uint32_t stride;              /*  32  value size rounded up to 8 */
    uint32_t entries;             /*  36 */
    uint32_t creator_pid;         /*  40 */
    uint32_t flags;               /*  44 */
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
    uint32_t bpf_map_type;        /* 132  2 = BPF_MAP_TYPE_ARRAY */
    uint32_t bpf_map_flags;       /* 136  1024 = BPF_F_MMAPABLE */
    uint32_t bpf_access;          /* 140  0 = mmap, 1 = syscall */
    uint32_t bpf_pin_length;      /* 144 */
    char bpf_pin[108];            /* 148  zero-padded */
    char schema_text[];           /* 256  key schema text, then value schema text */
};

/* A process slot of the control region (FORMAT.md §4.1). */
struct mapsync_slot {
    uint32_t generation; /* 0  low 20 bits are part of the owner token */
    uint32_t pid;        /* 4 */
    uint64_t start_time; /* 8 */
    uint64_t pid_ns;     /* 16 */
    uint64_t claimed_ms; /* 24 */
};

/* A lock record of the control region (FORMAT.md §4.2): one cache line. */
struct mapsync_lock {
    uint32_t word;      /*  0  0 free; bits 0..29 owner token; bit 31 waiters sleep */
    uint32_t owner_pid; /*  4 */
    uint64_t thread;    /*  8 */
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
#define MAPSYNC_SLOTS_OFFSET 256
#define MAPSYNC_SLOT_COUNT 1024
#define MAPSYNC_STRIPES_OFFSET (MAPSYNC_SLOTS_OFFSET + MAPSYNC_SLOT_COUNT * 32)
#define MAPSYNC_OFD_BASE (1LL << 40) /* process slot s: an OFD write lock on byte OFD_BASE + s of the liveness file */
#define MAPSYNC_LIVE_SUFFIX ".live"   /* the liveness file: <map file>.live (FORMAT.md §4.1) */
#define MAPSYNC_TOKEN_MASK 0x3FFFFFFFu
#define MAPSYNC_ALL_TORN 0xFFFFFFFFu

/* An open map. Every field is filled by mapsync_open; treat them as read-only. */
struct mapsync_map {
    int fd;                             /* the map file, or the bpf map's sidecar */
    int bpf_fd;                         /* the kernel map (bpf maps), else -1 */
    int lock_fd;                        /* the liveness file, read-only; -1 when its mode keeps this process out */
    bool read_only;
    const struct mapsync_header *header; /* the start of the file's mapping */
    uint8_t *file;                      /* the file's mapping: header, control region (and values for shm) */
    size_t file_length;
    uint8_t *data;                      /* value i at data + i * stride */
    size_t data_length;
    struct mapsync_lock *locks;         /* lock_stripes records */
    uint32_t backend, value_size, stride, entries, lock_stripes;
    uint32_t scalar_size;               /* 1, 2, 4 or 8 when a value is one scalar, else 0 */
    char value_schema[MAPSYNC_SCHEMA_TEXT_MAX + 1];
    char pin[109];                      /* bpf maps: where the kernel map is pinned */
    char error[512];                    /* why mapsync_open failed */
};

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

struct mapsync__parser {
    const char *p;
    struct mapsync_field *fields;
    int max, n;
};

static const struct {
    const char *text;
    enum mapsync_kind kind;
    uint32_t size;
} mapsync__scalars[] = {
    {"i8", MAPSYNC_I8, 1}, {"i16", MAPSYNC_I16, 2}, {"i32", MAPSYNC_I32, 4}, {"i64", MAPSYNC_I64, 8},
    {"u8", MAPSYNC_U8, 1}, {"u16", MAPSYNC_U16, 2}, {"u32", MAPSYNC_U32, 4}, {"u64", MAPSYNC_U64, 8},
    {"f32", MAPSYNC_F32, 4}, {"f64", MAPSYNC_F64, 8}, {"bool", MAPSYNC_BOOL, 1},
};

static inline size_t mapsync__ident(const char *p) {
    size_t n = 0;
    while ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z') || (p[n] >= '0' && p[n] <= '9') || p[n] == '_') n++;
    return n;
}

static inline int mapsync__count(struct mapsync__parser *ps, uint32_t *count) {
    if (*ps->p != '[') return -EINVAL;
    ps->p++;
    uint64_t n = 0;
    const char *start = ps->p;
    while (*ps->p >= '0' && *ps->p <= '9') {
        n = n * 10 + (uint64_t)(*ps->p++ - '0');
        if (n > UINT32_MAX) return -EINVAL;
    }
    if (ps->p == start || n < 1 || *ps->p != ']') return -EINVAL;
    ps->p++;
    *count = (uint32_t)n;
    return 0;
}

static inline uint32_t mapsync__align_up(uint32_t n, uint32_t a) {
    return (n + a - 1) / a * a;
}

static int mapsync__fields(struct mapsync__parser *ps, char close, const char *prefix, uint32_t *size, uint32_t *align);

/* Parses one type named `name` (prefix included); its fields are appended with offsets from the type's start. */
static int mapsync__type(struct mapsync__parser *ps, const char *name, uint32_t *size, uint32_t *align) {
    if (*ps->p == '{') {
        ps->p++;
        char prefix[128];
        if ((size_t)snprintf(prefix, sizeof prefix, "%s%s", name, *name ? "." : "") >= sizeof prefix) return -EINVAL;
        return mapsync__fields(ps, '}', prefix, size, align);
    }
    size_t len = mapsync__ident(ps->p);
    struct mapsync_field f;
    memset(&f, 0, sizeof f);
    if ((size_t)snprintf(f.name, sizeof f.name, "%s", name) >= sizeof f.name) return -EINVAL;
    f.count = 1;
    if (len == 4 && strncmp(ps->p, "char", 4) == 0) {
        ps->p += 4;
        if (mapsync__count(ps, &f.count) != 0) return -EINVAL;
        f.kind = MAPSYNC_CHARS;
        f.size = 1;
    } else {
        size_t i, known = sizeof mapsync__scalars / sizeof mapsync__scalars[0];
        for (i = 0; i < known; i++) {
            if (strlen(mapsync__scalars[i].text) == len && strncmp(ps->p, mapsync__scalars[i].text, len) == 0) break;
        }
        if (len == 0 || i == known) return -EINVAL;
        ps->p += len;
        f.kind = mapsync__scalars[i].kind;
        f.size = mapsync__scalars[i].size;
        if (*ps->p == '[') {
            if (mapsync__count(ps, &f.count) != 0) return -EINVAL;
            f.array = true;
        }
    }
    if (ps->n >= ps->max) return -ENOSPC;
    if ((uint64_t)f.size * f.count > UINT32_MAX) return -EINVAL;
    ps->fields[ps->n++] = f;
    *size = f.size * f.count;
    *align = f.size;
    return 0;
}

/* Parses `name:type,...` up to `close` ('\0' at the top); lays the fields out as C does. */
static int mapsync__fields(struct mapsync__parser *ps, char close, const char *prefix, uint32_t *size, uint32_t *align) {
    uint32_t offset = 0, max_align = 1;
    for (;;) {
        size_t len = mapsync__ident(ps->p);
        char name[128];
        if (len == 0 || ps->p[len] != ':') return -EINVAL;
        if ((size_t)snprintf(name, sizeof name, "%s%.*s", prefix, (int)len, ps->p) >= sizeof name) return -EINVAL;
        ps->p += len + 1;
        int first = ps->n;
        uint32_t fsize, falign;
        int rc = mapsync__type(ps, name, &fsize, &falign);
        if (rc != 0) return rc;
        offset = mapsync__align_up(offset, falign);
        for (int i = first; i < ps->n; i++) ps->fields[i].offset += offset; /* the field's own layout starts here */
        offset += fsize;
        if (falign > max_align) max_align = falign;
        if (*ps->p == ',') {
            ps->p++;
            continue;
        }
        if (*ps->p != close) return -EINVAL;
        if (close) ps->p++;
        *size = mapsync__align_up(offset, max_align);
        *align = max_align;
        return 0;
    }
}

/*
 * Parses a value schema text (such as "id:i64,owner:char[16],pos:{x:f32,y:f32}") into at most `max` fields, in
 * layout order, nested struct fields flattened with dotted names. Sets *size to sizeof the value. Returns the
 * number of fields, -EINVAL for a text that is not a schema, or -ENOSPC when there are more than `max` fields.
 */
static inline int mapsync_schema_fields(const char *schema, struct mapsync_field *fields, int max, uint32_t *size) {
    struct mapsync__parser ps = {schema, fields, max, 0};
    uint32_t s = 0, a = 1;
    *size = 0;
    size_t len = mapsync__ident(schema);
    bool is_fields = len > 0 && schema[len] == ':';
    int rc = is_fields ? mapsync__fields(&ps, '\0', "", &s, &a) : mapsync__type(&ps, "", &s, &a);
    if (rc != 0) return rc;
    if (*ps.p != '\0') return -EINVAL;
    *size = s;
    return ps.n;
}

/* ---------------------------------------------------------------------------------------------- opening */

static inline int mapsync__fail(struct mapsync_map *m, int err, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static inline int mapsync__fail(struct mapsync_map *m, int err, const char *format, ...) {
    va_list args;
    va_start(args, format);
    vsnprintf(m->error, sizeof m->error, format, args);
    va_end(args);
    return -err;
}

static inline uint64_t mapsync__page_align(uint64_t n) {
    uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
    return (n + page - 1) / page * page;
}

static inline uint64_t mapsync__now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static inline void mapsync__sleep_ns(long ns) {
    struct timespec t = {0, ns};
    nanosleep(&t, NULL);
}

/* The header fields agree with each other and with the file's size (FORMAT.md §2). */
static int mapsync__check_header(struct mapsync_map *m, const char *what, const struct mapsync_header *h, uint64_t file_size) {
    bool shm = h->backend == MAPSYNC_BACKEND_SHM;
    if (h->map_type != MAPSYNC_TYPE_ARRAY) return mapsync__fail(m, EBADMSG, "map %s is corrupt: unknown map type %u", what, h->map_type);
    if (!shm && h->backend != MAPSYNC_BACKEND_BPF) return mapsync__fail(m, EBADMSG, "map %s is corrupt: unknown backend %u", what, h->backend);
    if (h->key_size != 4) return mapsync__fail(m, EBADMSG, "map %s is corrupt: key size %u is not 4", what, h->key_size);
    if (h->value_size < 1 || h->stride != ((h->value_size + 7u) & ~7u)) {
        return mapsync__fail(m, EBADMSG, "map %s is corrupt: value size %u, stride %u", what, h->value_size, h->stride);
    }
    if (h->entries < 1 || h->lock_stripes < 1 || h->lock_stripes > h->entries) {
        return mapsync__fail(m, EBADMSG, "map %s is corrupt: %u entries, %u lock stripes", what, h->entries, h->lock_stripes);
    }
    if (h->changelog_capacity < 16 || (h->changelog_capacity & (h->changelog_capacity - 1)) != 0) {
        return mapsync__fail(m, EBADMSG, "map %s is corrupt: changelog capacity %u", what, h->changelog_capacity);
    }
    /* lock records, then the changelog, then the slot counters (FORMAT.md §4) */
    uint64_t control = mapsync__page_align(MAPSYNC_STRIPES_OFFSET + (uint64_t)h->lock_stripes * 64
                                           + (uint64_t)h->changelog_capacity * 32 + MAPSYNC_SLOT_COUNT * 8);
    uint64_t data = mapsync__page_align((uint64_t)h->entries * h->stride);
    uint64_t control_end = MAPSYNC_HEADER_SIZE + control;
    if (h->control_offset != MAPSYNC_HEADER_SIZE || h->control_length != control) {
        return mapsync__fail(m, EBADMSG, "map %s is corrupt: control region at %llu of %llu bytes", what,
                             (unsigned long long)h->control_offset, (unsigned long long)h->control_length);
    }
    if (h->data_length != data || h->data_offset != (shm ? control_end : 0)) {
        return mapsync__fail(m, EBADMSG, "map %s is corrupt: data region at %llu of %llu bytes", what,
                             (unsigned long long)h->data_offset, (unsigned long long)h->data_length);
    }
    if (h->file_length != (shm ? control_end + data : control_end)) {
        return mapsync__fail(m, EBADMSG, "map %s is corrupt: file length field %llu", what, (unsigned long long)h->file_length);
    }
    if (file_size < h->file_length) {
        return mapsync__fail(m, EBADMSG, "map %s is truncated: the file has %llu bytes, its header needs %llu", what,
                             (unsigned long long)file_size, (unsigned long long)h->file_length);
    }
    if ((uint64_t)h->key_schema_length + h->value_schema_length > MAPSYNC_SCHEMA_TEXT_MAX) {
        return mapsync__fail(m, EBADMSG, "map %s is corrupt: schema text lengths %u and %u", what,
                             h->key_schema_length, h->value_schema_length);
    }
    if (!shm && (h->bpf_pin_length < 1 || h->bpf_pin_length > sizeof h->bpf_pin)) {
        return mapsync__fail(m, EBADMSG, "bpf map %s is corrupt: pin path length %u", what, h->bpf_pin_length);
    }
    return 0;
}

/* Waits until the creator published the map (ready == 1, read with acquire), then checks the header. */
static int mapsync__await_ready(struct mapsync_map *m, const char *what, struct stat *st) {
    uint64_t deadline = mapsync__now_ns() + (uint64_t)MAPSYNC_OPEN_TIMEOUT_MS * 1000000u;
    long pause = 1000000;
    for (;;) {
        if (fstat(m->fd, st) != 0) return mapsync__fail(m, errno, "map %s: fstat: %s", what, strerror(errno));
        if (st->st_size > 0 && st->st_size < MAPSYNC_HEADER_SIZE) {
            return mapsync__fail(m, EBADMSG, "map %s is truncated: the file has %lld bytes, fewer than a header (4096)",
                                 what, (long long)st->st_size);
        }
        if (st->st_size >= MAPSYNC_HEADER_SIZE) {
            const struct mapsync_header *h = mmap(NULL, MAPSYNC_HEADER_SIZE, PROT_READ, MAP_SHARED, m->fd, 0);
            if (h == MAP_FAILED) return mapsync__fail(m, errno, "map %s: mmap: %s", what, strerror(errno));
            int rc = 1; /* not ready yet */
            uint64_t magic;
            memcpy(&magic, h->magic, 8);
            if (magic != 0) {
                if (memcmp(h->magic, "MAPSYNC", 8) != 0) {
                    rc = mapsync__fail(m, EBADMSG, "%s is not a mapsync map (its first bytes are not \"MAPSYNC\\0\")", what);
                } else if (h->version > MAPSYNC_VERSION) {
                    rc = mapsync__fail(m, EPROTO, "map %s has layout version %u, newer than this header reads (%d)", what,
                                       h->version, MAPSYNC_VERSION);
                } else if (__atomic_load_n(&h->ready, __ATOMIC_ACQUIRE) == 1) {
                    if (h->version < 1) {
                        rc = mapsync__fail(m, EBADMSG, "map %s has layout version %u", what, h->version);
                    } else if (h->version < MAPSYNC_VERSION) {
                        /* version 1 kept the liveness locks in the map file: its users and ours would not see each other */
                        rc = mapsync__fail(m, EPROTO, "map %s has layout version %u, made by an older mapsync; this header"
                                           " reads layout version %d: recreate the map", what, h->version, MAPSYNC_VERSION);
                    } else {
                        rc = mapsync__check_header(m, what, h, (uint64_t)st->st_size);
                    }
                }
            }
            munmap((void *)h, MAPSYNC_HEADER_SIZE);
            if (rc <= 0) return rc;
        }
        if (mapsync__now_ns() > deadline) {
            return mapsync__fail(m, ETIMEDOUT, "map %s was not finished by its creator within %d ms", what, MAPSYNC_OPEN_TIMEOUT_MS);
        }
        mapsync__sleep_ns(pause);
        if (pause < 20000000) pause *= 2;
    }
}

/* The folder of `path` into `folder` ("." when it has no '/'). */
static inline void mapsync__folder_of(const char *path, char *folder, size_t size) {
    snprintf(folder, size, "%s", path);
    char *slash = strrchr(folder, '/');
    if (slash == NULL) snprintf(folder, size, ".");
    else if (slash == folder) folder[1] = '\0';
    else *slash = '\0';
}

/* The default folder of user `uid`: /dev/shm/mapsync for root, /dev/shm/mapsync-UID for every other user. */
static inline void mapsync__default_dir(uid_t uid, char *dir, size_t size) {
    if (uid == 0) snprintf(dir, size, "%s", MAPSYNC_DEFAULT_DIR);
    else snprintf(dir, size, "%s-%u", MAPSYNC_DEFAULT_DIR, (unsigned)uid);
}

/* The user whose default folder `dir` is, or -1 when it is none. */
static inline long mapsync__default_dir_user(const char *dir) {
    size_t base = strlen(MAPSYNC_DEFAULT_DIR);
    if (strncmp(dir, MAPSYNC_DEFAULT_DIR, base) != 0) return -1;
    if (dir[base] == '\0') return 0;
    if (dir[base] != '-' || dir[base + 1] < '1' || dir[base + 1] > '9') return -1;
    char *end;
    unsigned long uid = strtoul(dir + base + 1, &end, 10);
    return *end == '\0' && uid <= UINT32_MAX ? (long)uid : -1;
}

/*
 * Refuses a folder someone other than you or root could have planted or may change maps in, as the Java library does
 * (FORMAT.md §5): a symbolic link or not a directory; anyone may write it without the sticky bit; it is a default
 * folder owned by neither its user, you, nor root; anyone may write it and it is owned by neither you nor root.
 * A folder that does not exist passes (the map's open then says there is no map).
 */
static int mapsync__check_folder(struct mapsync_map *m, const char *folder) {
    struct stat st;
    if (lstat(folder, &st) != 0) return errno == ENOENT ? 0 : mapsync__fail(m, errno, "folder %s: %s", folder, strerror(errno));
    uid_t me = geteuid();
    const char *fix = "; remove it as root, or set MAPSYNC_DIR to a folder you own";
    if (S_ISLNK(st.st_mode)) {
        return mapsync__fail(m, EPERM, "refusing folder %s: it is a symbolic link (owned by uid %u), and mapsync never"
                             " follows links%s", folder, (unsigned)st.st_uid, fix);
    }
    if (!S_ISDIR(st.st_mode)) {
        return mapsync__fail(m, EPERM, "refusing folder %s: it is not a directory (owned by uid %u)%s", folder,
                             (unsigned)st.st_uid, fix);
    }
    if ((st.st_mode & S_IWOTH) && !(st.st_mode & S_ISVTX)) {
        return mapsync__fail(m, EPERM, "refusing folder %s (owned by uid %u): anyone may write it and it lacks the sticky"
                             " bit, so anyone could replace its maps", folder, (unsigned)st.st_uid);
    }
    long user = mapsync__default_dir_user(folder);
    if (user >= 0 && st.st_uid != me && st.st_uid != (uid_t)user && st.st_uid != 0) {
        return mapsync__fail(m, EPERM, "refusing folder %s: it is owned by uid %u, and it is the default folder of uid %ld,"
                             " which another user could have made first%s", folder, (unsigned)st.st_uid, user, fix);
    }
    if ((st.st_mode & S_IWOTH) && st.st_uid != me && st.st_uid != 0) {
        return mapsync__fail(m, EPERM, "refusing folder %s: it is owned by uid %u, not by you or root, and anyone may write"
                             " it%s", folder, (unsigned)st.st_uid, fix);
    }
    return 0;
}

/* Refuses a file owned by another user (not root) in a folder other users may write, as the Java library does. */
static int mapsync__check_owner(struct mapsync_map *m, const char *what, const char *path, const struct stat *st) {
    if (st->st_uid == geteuid() || st->st_uid == 0) return 0;
    char folder[4096];
    mapsync__folder_of(path, folder, sizeof folder);
    struct stat dir;
    if (lstat(folder, &dir) == 0 && (dir.st_mode & (S_IWOTH | S_IWGRP))) {
        return mapsync__fail(m, EPERM, "refusing map %s: %s is owned by uid %u, not by you or root, in %s, which other"
                             " users may write", what, path, (unsigned)st->st_uid, folder);
    }
    return 0;
}

/*
 * Opens the map's liveness file read-only into m->lock_fd, or leaves it -1 when its mode keeps this process out (or
 * there is none): liveness is then judged from the slot records (mapsync_owner_alive).
 */
static int mapsync__open_liveness(struct mapsync_map *m, const char *what, const char *path) {
    char live[4096 + sizeof MAPSYNC_LIVE_SUFFIX];
    snprintf(live, sizeof live, "%s%s", path, MAPSYNC_LIVE_SUFFIX);
    int fd = open(live, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        int err = errno;
        if (err == EACCES || err == EPERM || err == ENOENT) return 0;
        if (err == ELOOP) return mapsync__fail(m, EPERM, "refusing map %s: %s is a symbolic link", what, live);
        return mapsync__fail(m, err, "map %s: open(%s): %s", what, live, strerror(err));
    }
    m->lock_fd = fd;
    struct stat st;
    if (fstat(fd, &st) != 0) return mapsync__fail(m, errno, "map %s: fstat: %s", what, strerror(errno));
    if (!S_ISREG(st.st_mode)) return mapsync__fail(m, EPERM, "refusing map %s: %s is not a regular file", what, live);
    return mapsync__check_owner(m, what, live, &st);
}

#ifdef MAPSYNC_WITH_LIBBPF
/* Opens the kernel map pinned where the sidecar says, checks it against the sidecar, and maps its values. */
static int mapsync__open_kernel_map(struct mapsync_map *m, const char *what) {
    const struct mapsync_header *h = m->header;
    memcpy(m->pin, h->bpf_pin, h->bpf_pin_length);
    m->pin[h->bpf_pin_length] = '\0';
    int fd = bpf_obj_get(m->pin); /* read-write even to read: the kernel maps values only through such a descriptor */
    if (fd < 0) {
        int err = errno;
        if (err == ENOENT) return mapsync__fail(m, ENOENT, "no map %s: its sidecar exists, but nothing is pinned at %s", what, m->pin);
        return mapsync__fail(m, err, "bpf map %s: bpf_obj_get(%s): %s", what, m->pin, strerror(err));
    }
    m->bpf_fd = fd;
    struct bpf_map_info info;
    __u32 len = sizeof info;
    memset(&info, 0, sizeof info);
    if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0) {
        return mapsync__fail(m, errno, "bpf map %s: bpf_obj_get_info_by_fd: %s", what, strerror(errno));
    }
    if (info.type != BPF_MAP_TYPE_ARRAY || info.key_size != 4 || info.value_size != h->value_size
        || info.max_entries != h->entries) {
        return mapsync__fail(m, EMEDIUMTYPE, "bpf map %s: the kernel map pinned at %s (type %u, key %u, value %u, %u entries)"
                             " does not match its sidecar (array, key 4, value %u, %u entries)", what, m->pin, info.type,
                             info.key_size, info.value_size, info.max_entries, h->value_size, h->entries);
    }
    if (!(info.map_flags & BPF_F_MMAPABLE)) {
        return mapsync__fail(m, EMEDIUMTYPE, "bpf map %s: the kernel map pinned at %s has no BPF_F_MMAPABLE, so its values"
                             " cannot be mapped", what, m->pin);
    }
    m->data_length = mapsync__page_align((uint64_t)h->entries * h->stride);
    void *data = mmap(NULL, m->data_length, PROT_READ | (m->read_only ? 0 : PROT_WRITE), MAP_SHARED, fd, 0);
    if (data == MAP_FAILED) return mapsync__fail(m, errno, "bpf map %s: mmap of the kernel map: %s", what, strerror(errno));
    m->data = data;
    return 0;
}
#endif

/* Closes what an open map holds. Safe on a map whose open failed, and twice. */
static inline void mapsync_close(struct mapsync_map *m) {
    if (m->data != NULL && m->backend == MAPSYNC_BACKEND_BPF) munmap(m->data, m->data_length);
    if (m->file != NULL) munmap(m->file, m->file_length);
    if (m->bpf_fd >= 0) close(m->bpf_fd);
    if (m->lock_fd >= 0) close(m->lock_fd);
    if (m->fd >= 0) close(m->fd);
    m->data = NULL;
    m->file = NULL;
    m->header = NULL;
    m->locks = NULL;
    m->fd = m->bpf_fd = m->lock_fd = -1;
}

/*
 * Opens a map: "NAME" (in $MAPSYNC_DIR, else the default folder; a bpf map's sidecar opens its bpf map),
 * "bpf:NAME" (must be a bpf map), "shm:NAME", or a path containing '/'. flags: 0 or MAPSYNC_READ_ONLY.
 * Returns 0, or a negative errno with the reason in m->error (and nothing left open).
 */
static inline int mapsync_open(struct mapsync_map *m, const char *map, int flags) {
    memset(m, 0, sizeof *m);
    m->fd = m->bpf_fd = m->lock_fd = -1;
    m->read_only = (flags & MAPSYNC_READ_ONLY) != 0;
    bool want_bpf = strncmp(map, "bpf:", 4) == 0;
    const char *name = want_bpf || strncmp(map, "shm:", 4) == 0 ? map + 4 : map;
    char path[4096];
    if (strchr(name, '/') != NULL && !want_bpf) {
        snprintf(path, sizeof path, "%s", name);
    } else {
        if (*name == '\0' || strchr(name, '/') != NULL || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strlen(name) > 255) {
            return mapsync__fail(m, EINVAL, "'%s' is not a map name", name);
        }
        char dir[4096];
        const char *env = getenv(MAPSYNC_DIR_ENV);
        if (env != NULL && *env != '\0') snprintf(dir, sizeof dir, "%s", env);
        else mapsync__default_dir(geteuid(), dir, sizeof dir);
        if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path) return mapsync__fail(m, ENAMETOOLONG, "path too long");
        struct stat pin, sidecar;
        char pin_path[4096];
        snprintf(pin_path, sizeof pin_path, "%s/%s", MAPSYNC_PIN_DIR, name);
        if (want_bpf && lstat(path, &sidecar) != 0 && errno == ENOENT && lstat(pin_path, &pin) == 0 && pin.st_uid != geteuid()) {
            /* a bpf map another user (root) made: its sidecar is in the default folder of the pin's owner */
            char theirs[4096];
            mapsync__default_dir(pin.st_uid, dir, sizeof dir);
            if ((size_t)snprintf(theirs, sizeof theirs, "%s/%s", dir, name) < sizeof theirs && lstat(theirs, &sidecar) == 0) {
                snprintf(path, sizeof path, "%s", theirs);
            }
        }
    }
    const char *what = map;
    char folder[4096];
    mapsync__folder_of(path, folder, sizeof folder);
    int checked = mapsync__check_folder(m, folder);
    if (checked != 0) return checked;
    m->fd = open(path, (m->read_only ? O_RDONLY : O_RDWR) | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (m->fd < 0) {
        int err = errno;
        if (err == ENOENT) return mapsync__fail(m, ENOENT, "no map %s (no file %s)", what, path);
        if (err == ELOOP) return mapsync__fail(m, EPERM, "refusing map %s: %s is a symbolic link", what, path);
        return mapsync__fail(m, err, "map %s: open(%s): %s", what, path, strerror(err));
    }
    struct stat st;
    int rc;
    if (fstat(m->fd, &st) != 0) rc = mapsync__fail(m, errno, "map %s: fstat: %s", what, strerror(errno));
    else if (!S_ISREG(st.st_mode)) rc = mapsync__fail(m, EPERM, "refusing map %s: %s is not a regular file", what, path);
    else rc = mapsync__check_owner(m, what, path, &st);
    if (rc == 0) rc = mapsync__await_ready(m, what, &st);
    if (rc == 0) rc = mapsync__open_liveness(m, what, path);
    if (rc != 0) {
        mapsync_close(m);
        return rc;
    }
    /* the header is checked: map the whole file */
    const struct mapsync_header *peek = mmap(NULL, MAPSYNC_HEADER_SIZE, PROT_READ, MAP_SHARED, m->fd, 0);
    if (peek == MAP_FAILED) {
        rc = mapsync__fail(m, errno, "map %s: mmap: %s", what, strerror(errno));
        mapsync_close(m);
        return rc;
    }
    m->file_length = peek->file_length;
    munmap((void *)peek, MAPSYNC_HEADER_SIZE);
    void *file = mmap(NULL, m->file_length, PROT_READ | (m->read_only ? 0 : PROT_WRITE), MAP_SHARED, m->fd, 0);
    if (file == MAP_FAILED) {
        rc = mapsync__fail(m, errno, "map %s: mmap: %s", what, strerror(errno));
        mapsync_close(m);
        return rc;
    }
    m->file = file;
    m->header = file;
    const struct mapsync_header *h = m->header;
    m->backend = h->backend;
    m->value_size = h->value_size;
    m->stride = h->stride;
    m->entries = h->entries;
    m->lock_stripes = h->lock_stripes;
    m->locks = (struct mapsync_lock *)(m->file + h->control_offset + MAPSYNC_STRIPES_OFFSET);
    memcpy(m->value_schema, h->schema_text + h->key_schema_length, h->value_schema_length);
    m->value_schema[h->value_schema_length] = '\0';
    int max = MAPSYNC_SCHEMA_TEXT_MAX / 2; /* a field takes at least "a:i8," */
    struct mapsync_field *fields = malloc(sizeof *fields * (size_t)max);
    uint32_t size = 0;
    int n = fields == NULL ? -ENOMEM : mapsync_schema_fields(m->value_schema, fields, max, &size);
    if (n < 0 || size != m->value_size) {
        rc = mapsync__fail(m, EBADMSG, "map %s is corrupt: value schema '%s' does not describe %u-byte values", what,
                           m->value_schema, m->value_size);
    } else if (n == 1 && fields[0].name[0] == '\0' && fields[0].kind != MAPSYNC_CHARS && !fields[0].array) {
        m->scalar_size = fields[0].size; /* one scalar: single loads and stores, no sequence word (FORMAT.md §4.2) */
    }
    free(fields);
    if (rc == 0 && want_bpf && m->backend != MAPSYNC_BACKEND_BPF) {
        rc = mapsync__fail(m, EMEDIUMTYPE, "map %s is an shm map, not a bpf map", what);
    }
    if (rc == 0 && m->backend == MAPSYNC_BACKEND_SHM) {
        m->data = m->file + h->data_offset;
        m->data_length = h->data_length;
    } else if (rc == 0) {
#ifdef MAPSYNC_WITH_LIBBPF
        rc = mapsync__open_kernel_map(m, what);
#else
        rc = mapsync__fail(m, ENOTSUP, "map %s is a bpf map: build with -DMAPSYNC_WITH_LIBBPF and link -lbpf to open it", what);
#endif
    }
    if (rc != 0) mapsync_close(m);
    return rc;
}

/* ------------------------------------------------------------------------------------------------ values */

/* Value `index`, or NULL when it is out of range. */
static inline void *mapsync_value(const struct mapsync_map *m, uint32_t index) {
    return index < m->entries ? m->data + (size_t)index * m->stride : NULL;
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

/* ---------------------------------------------------------------------------------------- consistent reads */

/* The lock record of the stripe that guards entry `index`. */
static inline struct mapsync_lock *mapsync_lock_of(const struct mapsync_map *m, uint32_t index) {
    return &m->locks[index % m->lock_stripes];
}

/* The start time of process `pid` in clock ticks since boot (field 22 of /proc/PID/stat), or 0 if there is none. */
static inline uint64_t mapsync__start_time(uint32_t pid) {
    char file[64], text[1024];
    snprintf(file, sizeof file, "/proc/%u/stat", (unsigned)pid);
    FILE *f = fopen(file, "re");
    if (f == NULL) return 0;
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    /* the command (field 2) is in parentheses and may hold spaces: count the fields after the last ')' */
    char *p = strrchr(text, ')');
    if (p == NULL) return 0;
    for (int field = 2; field < 22; field++) {
        p = strchr(p + 1, ' ');
        if (p == NULL) return 0;
    }
    return strtoull(p + 1, NULL, 10);
}

/* The inode of this process's pid namespace: a pid recorded in another namespace means nothing here. */
static inline uint64_t mapsync__pid_ns(void) {
    struct stat st;
    return stat("/proc/self/ns/pid", &st) == 0 ? (uint64_t)st.st_ino : 0;
}

/*
 * True if the handle that owner `token` names is still open: its slot's generation still matches, and the
 * kernel says the slot's open-file-description lock on the liveness file is held (FORMAT.md §4.1). A dead
 * process's lock is gone, however it died. Without the liveness file (its mode keeps this process out), the slot
 * record decides: in this pid namespace, a process with the recorded pid and start time exists; in another, alive
 * (it cannot be told, so nobody is declared dead).
 */
static inline bool mapsync_owner_alive(const struct mapsync_map *m, uint32_t token) {
    uint32_t slot = token & 0x3FFu;
    const struct mapsync_slot *s =
        (const struct mapsync_slot *)(m->file + m->header->control_offset + MAPSYNC_SLOTS_OFFSET) + slot;
    if ((__atomic_load_n(&s->generation, __ATOMIC_ACQUIRE) & 0xFFFFFu) != token >> 10) return false;
    if (m->lock_fd < 0) {
        uint32_t pid = __atomic_load_n(&s->pid, __ATOMIC_ACQUIRE);
        if (__atomic_load_n(&s->pid_ns, __ATOMIC_RELAXED) != mapsync__pid_ns()) return true;
        uint64_t start = mapsync__start_time(pid);
        return start != 0 && start == __atomic_load_n(&s->start_time, __ATOMIC_RELAXED);
    }
    struct flock probe;
    memset(&probe, 0, sizeof probe);
    probe.l_type = F_RDLCK; /* conflicts with the holder's write lock */
    probe.l_whence = SEEK_SET;
    probe.l_start = MAPSYNC_OFD_BASE + slot;
    probe.l_len = 1;
    if (fcntl(m->lock_fd, F_OFD_GETLK, &probe) != 0) return true; /* cannot tell: do not declare anyone dead */
    return probe.l_type != F_UNLCK;
}

static inline bool mapsync__torn(const struct mapsync_lock *rec, uint32_t index) {
    if (__atomic_load_n(&rec->torn[0], __ATOMIC_ACQUIRE) == MAPSYNC_ALL_TORN) return true;
    for (int i = 0; i < 4; i++) {
        if (__atomic_load_n(&rec->torn[i], __ATOMIC_ACQUIRE) == index + 1) return true;
    }
    return false;
}

/* Copies a value word by word with relaxed atomic loads: a racing writer is not undefined behaviour. */
static inline void mapsync__copy(void *out, const uint8_t *src, uint32_t size) {
    uint8_t *dst = out;
    for (uint32_t i = 0; i < size; i += 8) {
        uint64_t w = __atomic_load_n((const uint64_t *)(src + i), __ATOMIC_RELAXED);
        memcpy(dst + i, &w, size - i < 8 ? size - i : 8);
    }
}

/*
 * Copies value `index` into `out` (value_size bytes), never torn (FORMAT.md §4.2): between two reads of its
 * stripe's sequence word, retrying while a write is in progress. A value that is one scalar is one atomic load.
 * Returns 0; -ERANGE for an index out of range; -ENOTRECOVERABLE when a writer died while writing this entry
 * (it stays so until a lock owner writes it again); -ETIMEDOUT when a live writer kept the stripe's sequence odd
 * for timeout_ms.
 */
static inline int mapsync_read(const struct mapsync_map *m, uint32_t index, void *out, long timeout_ms) {
    if (index >= m->entries) return -ERANGE;
    const uint8_t *src = m->data + (size_t)index * m->stride;
    switch (m->scalar_size) {
    case 1: { uint8_t v = __atomic_load_n(src, __ATOMIC_ACQUIRE); memcpy(out, &v, 1); return 0; }
    case 2: { uint16_t v = __atomic_load_n((const uint16_t *)src, __ATOMIC_ACQUIRE); memcpy(out, &v, 2); return 0; }
    case 4: { uint32_t v = __atomic_load_n((const uint32_t *)src, __ATOMIC_ACQUIRE); memcpy(out, &v, 4); return 0; }
    case 8: { uint64_t v = __atomic_load_n((const uint64_t *)src, __ATOMIC_ACQUIRE); memcpy(out, &v, 8); return 0; }
    default: break;
    }
    const struct mapsync_lock *rec = mapsync_lock_of(m, index);
    const int spins = 200;
    uint64_t start = 0, last_check = 0;
    for (long attempt = 0;; attempt++) {
        uint32_t s1 = __atomic_load_n(&rec->sequence, __ATOMIC_ACQUIRE);
        if ((s1 & 1) == 0) {
            /* every slot: repairing one entry empties its slot, which may come before another torn entry's */
            if (mapsync__torn(rec, index)) return -ENOTRECOVERABLE;
            mapsync__copy(out, src, m->value_size);
            __atomic_thread_fence(__ATOMIC_ACQUIRE); /* the copy's loads before the second sequence load */
            if (__atomic_load_n(&rec->sequence, __ATOMIC_RELAXED) == s1) return 0;
        } else if (attempt >= spins) {
            uint64_t now = mapsync__now_ns();
            if (start == 0) start = now;
            if (now - last_check >= 5000000u) {
                last_check = now;
                uint32_t word = __atomic_load_n(&rec->word, __ATOMIC_ACQUIRE);
                if (word != 0 && !mapsync_owner_alive(m, word & MAPSYNC_TOKEN_MASK)) {
                    /* the writer died mid-write: only the entry it was writing is torn */
                    uint32_t writing = __atomic_load_n(&rec->writing, __ATOMIC_ACQUIRE);
                    if (writing == index + 1) return -ENOTRECOVERABLE;
                    mapsync__copy(out, src, m->value_size);
                    __atomic_thread_fence(__ATOMIC_ACQUIRE);
                    if (__atomic_load_n(&rec->sequence, __ATOMIC_RELAXED) == s1
                        && __atomic_load_n(&rec->writing, __ATOMIC_RELAXED) == writing) return 0;
                } else if (now - start >= (uint64_t)timeout_ms * 1000000u) {
                    return -ETIMEDOUT;
                }
            }
        }
        if (attempt < spins) {
#if defined(__x86_64__) || defined(__i386__)
            __builtin_ia32_pause();
#endif
        } else if (attempt < spins + 50) {
            sched_yield();
        } else {
            mapsync__sleep_ns(100000);
        }
    }
}

/* The exit code the mapsync command gives for a negative errno from this header (see mapsync --help). */
static inline int mapsync_exit_code(int rc) {
    switch (-rc) {
    case 0: return 0;
    case EINVAL: case ERANGE: return 1;
    case ENOENT: return 2;
    case EBADMSG: case EPROTO: case EMEDIUMTYPE: return 3;
    case EACCES: case EPERM: return 4;
    case ENOTRECOVERABLE: return 6;
    case ETIMEDOUT: return 124;
    default: return 5;
    }
}

#endif /* MAPSYNC_H */
