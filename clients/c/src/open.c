/*
 * open.c: finding, checking and mapping a map file (FORMAT.md §2, §5), and closing it.
 */
#include "internal.h"

#include <sys/mman.h>

/* The common header checks; the map type's own geometry is geometry.c's (FORMAT.md §2). */
static int check_header(struct mapsync_map *m, const char *what, const struct mapsync_header *h, uint64_t file_size) {
    if (h->map_type < MAPSYNC_TYPE_ARRAY || h->map_type > MAPSYNC_TYPE_COUNTER) {
        return mapsync__fail(m, EBADMSG, "map %s is corrupt: unknown map type %u", what, h->map_type);
    }
    if (h->backend != MAPSYNC_BACKEND_SHM && h->backend != MAPSYNC_BACKEND_BPF) {
        return mapsync__fail(m, EBADMSG, "map %s is corrupt: unknown backend %u", what, h->backend);
    }
    if ((h->flags & ~MAPSYNC_FLAG_REPLICA) != 0) {
        return mapsync__fail(m, EBADMSG, "map %s is corrupt: header flags 0x%x have bits no writer sets (bit 0, a read"
                             " replica, is the only flag)", what, h->flags);
    }
    if ((h->flags & MAPSYNC_FLAG_REPLICA) && h->map_type != MAPSYNC_TYPE_ARRAY && h->map_type != MAPSYNC_TYPE_HASH) {
        return mapsync__fail(m, EBADMSG, "map %s is corrupt: its header marks a map of type %u as a read replica, which"
                             " only arrays and hash maps are", what, h->map_type);
    }
    if ((uint64_t)h->key_schema_length + h->value_schema_length > MAPSYNC_SCHEMA_TEXT_MAX) {
        return mapsync__fail(m, EBADMSG, "map %s is corrupt: schema text lengths %u and %u", what,
                             h->key_schema_length, h->value_schema_length);
    }
    int rc = mapsync__check_geometry(m, what, h, file_size);
    if (rc != 0) return rc;
    if (file_size < h->file_length) {
        return mapsync__fail(m, EBADMSG, "map %s is truncated: the file has %llu bytes, its header needs %llu", what,
                             (unsigned long long)file_size, (unsigned long long)h->file_length);
    }
    if (h->backend == MAPSYNC_BACKEND_BPF && (h->bpf_pin_length < 1 || h->bpf_pin_length > sizeof h->bpf_pin)) {
        return mapsync__fail(m, EBADMSG, "bpf map %s is corrupt: pin path length %u", what, h->bpf_pin_length);
    }
    return 0;
}

/*
 * Waits until the creator published the map (ready == 1, read with acquire), then copies the header and checks the
 * copy: every field the handle uses comes from it, so a peer that rewrites the header later cannot make this process
 * map or address anything the checks did not see.
 */
static int await_ready(struct mapsync_map *m, const char *what, struct stat *st) {
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
            uint32_t ready = __atomic_load_n(&h->ready, __ATOMIC_ACQUIRE);
            uint64_t magic;
            memcpy(&magic, h->magic, 8);
            if (magic != 0 && memcmp(h->magic, "MAPSYNC", 8) != 0) {
                rc = mapsync__fail(m, EBADMSG, "%s is not a mapsync map (its first bytes are not \"MAPSYNC\\0\")", what);
            } else if (ready > 1) {
                rc = mapsync__fail(m, EBADMSG, "map %s is corrupt: its ready word is %u, not 0 (being made) or 1 (ready)",
                                   what, ready);
            } else if (magic == 0 && ready == 1) { /* the creator writes the magic first and the ready word last */
                rc = mapsync__fail(m, EBADMSG, "map %s is corrupt: it is marked ready, but its first bytes are zero, not"
                                   " \"MAPSYNC\\0\"", what);
            } else if (magic != 0) {
                if (h->version > MAPSYNC_VERSION) {
                    rc = mapsync__fail(m, EPROTO, "map %s has layout version %u, newer than this header reads (%d)", what,
                                       h->version, MAPSYNC_VERSION);
                } else if (ready == 1) {
                    if (h->version < 1) {
                        rc = mapsync__fail(m, EBADMSG, "map %s has layout version %u", what, h->version);
                    } else if (h->version < MAPSYNC_VERSION) {
                        /* version 1 kept the liveness locks in the map file: its users and ours would not see each other */
                        rc = mapsync__fail(m, EPROTO, "map %s has layout version %u, made by an older mapsync; this header"
                                           " reads layout version %d: recreate the map", what, h->version, MAPSYNC_VERSION);
                    } else {
                        void *copy = malloc(MAPSYNC_HEADER_SIZE);
                        if (copy == NULL) {
                            rc = mapsync__fail(m, ENOMEM, "out of memory");
                        } else {
                            memcpy(copy, h, MAPSYNC_HEADER_SIZE);
                            rc = check_header(m, what, copy, (uint64_t)st->st_size);
                            if (rc == 0) m->header = copy;
                            else free(copy);
                        }
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
void mapsync__folder_of(const char *path, char *folder, size_t size) {
    snprintf(folder, size, "%s", path);
    char *slash = strrchr(folder, '/');
    if (slash == NULL) snprintf(folder, size, ".");
    else if (slash == folder) folder[1] = '\0';
    else *slash = '\0';
}

/* The default folder of user `uid`: /dev/shm/mapsync for root, /dev/shm/mapsync-UID for every other user. */
void mapsync__default_dir(uid_t uid, char *dir, size_t size) {
    if (uid == 0) snprintf(dir, size, "%s", MAPSYNC_DEFAULT_DIR);
    else snprintf(dir, size, "%s-%u", MAPSYNC_DEFAULT_DIR, (unsigned)uid);
}

/* The user whose default folder `dir` is, or -1 when it is none. */
long mapsync__default_dir_user(const char *dir) {
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
int mapsync__check_folder(struct mapsync_map *m, const char *folder) {
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

/* Read and write for exactly the classes that may write a map of mode `map_mode` (FORMAT.md §4.1). */
mode_t mapsync__liveness_mode(mode_t map_mode) {
    mode_t mode = 0;
    if (map_mode & S_IWUSR) mode |= 0600;
    if (map_mode & S_IWGRP) mode |= 0060;
    if (map_mode & S_IWOTH) mode |= 0006;
    return mode;
}

/* Checks an open liveness file as the map file is checked: a regular file, and the owner rule. */
static int check_liveness(struct mapsync_map *m, const char *what, const char *live) {
    struct stat st;
    if (fstat(m->lock_fd, &st) != 0) return mapsync__fail(m, errno, "map %s: fstat: %s", what, strerror(errno));
    if (!S_ISREG(st.st_mode)) return mapsync__fail(m, EPERM, "refusing map %s: %s is not a regular file", what, live);
    return mapsync__check_owner(m, what, live, &st);
}

/*
 * Opens the map's liveness file into m->lock_fd. A read-write handle opens it read-write, making it (as a creator
 * does) if the map has none; racing writers agree through O_EXCL, and a loser waits briefly for the winner's fchmod.
 * A read-only handle opens it read-only, or leaves m->lock_fd at -1 when its mode keeps this process out: liveness is
 * then judged from the slot records (mapsync_owner_alive).
 */
static int open_liveness(struct mapsync_map *m, const char *what, const char *path, mode_t map_mode) {
    char live[4096 + sizeof MAPSYNC_LIVE_SUFFIX];
    snprintf(live, sizeof live, "%s%s", path, MAPSYNC_LIVE_SUFFIX);
    int flags = O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK;
    if (m->read_only) {
        int fd = open(live, O_RDONLY | flags);
        if (fd < 0) {
            int err = errno;
            if (err == EACCES || err == EPERM || err == ENOENT) return 0;
            if (err == ELOOP) return mapsync__fail(m, EPERM, "refusing map %s: %s is a symbolic link", what, live);
            return mapsync__fail(m, err, "map %s: open(%s): %s", what, live, strerror(err));
        }
        m->lock_fd = fd;
        return check_liveness(m, what, live);
    }
    uint64_t waited_since = 0;
    for (;;) {
        int fd = open(live, O_RDWR | flags);
        if (fd >= 0) {
            m->lock_fd = fd;
            return check_liveness(m, what, live);
        }
        int err = errno;
        if (err == ENOENT) {
            fd = open(live, O_RDWR | O_CREAT | O_EXCL | flags, 0600);
            if (fd >= 0) {
                m->lock_fd = fd;
                if (fchmod(fd, mapsync__liveness_mode(map_mode)) != 0) {
                    return mapsync__fail(m, errno, "map %s: fchmod(%s): %s", what, live, strerror(errno));
                }
                return check_liveness(m, what, live);
            }
            if (errno == EEXIST) continue; /* another writer made it first: open theirs */
            err = errno;
        }
        if (err == ELOOP) return mapsync__fail(m, EPERM, "refusing map %s: %s is a symbolic link", what, live);
        if (err != EACCES) return mapsync__fail(m, err, "map %s: open(%s): %s", what, live, strerror(err));
        /* a writer that made it a moment ago sets its mode right after: wait for that, briefly */
        uint64_t now = mapsync__now_ns();
        if (waited_since == 0) waited_since = now;
        if (now - waited_since > 200000000u) {
            return mapsync__fail(m, EACCES, "map %s: its liveness file %s does not let this process write it (mode %04o"
                                 " map): open it read-only", what, live, (unsigned)(map_mode & 07777));
        }
        mapsync__sleep_ns(1000000);
    }
}

void mapsync_close(struct mapsync_map *m) {
    if (m->control != NULL && m->map_type == MAPSYNC_TYPE_BARRIER) mapsync__leave_barrier(m);
    if (m->data != NULL && (m->bpf_fd >= 0 || m->map_type == MAPSYNC_TYPE_RING)) munmap(m->data, m->data_length);
    if (m->file != NULL) munmap(m->file, m->file_length);
    if (m->bpf_fd >= 0) close(m->bpf_fd);
    /* closing the liveness file drops the slot's OFD lock: the slot is free, and locks still held pass on */
    if (m->lock_fd >= 0) close(m->lock_fd);
    if (m->fd >= 0) close(m->fd);
    m->data = NULL;
    m->file = NULL;
    m->control = NULL;
    free((void *)m->header);
    m->header = NULL;
    m->locks = NULL;
    m->token = 0;
    m->fd = m->bpf_fd = m->lock_fd = -1;
}

/*
 * `path` made absolute (from the working folder) and normal, as Java's toAbsolutePath().normalize() makes it: no
 * empty or "." part, ".." taken in the text, no '/' at the end. The folder rules are then checked on the folder that
 * is opened, however it was spelled (a trailing '/' once had lstat follow a symbolic link). 0, or -errno.
 */
static int normalize(char *path, size_t size) {
    char whole[4096], out[4096];
    if (path[0] == '/') {
        snprintf(whole, sizeof whole, "%s", path);
    } else {
        char cwd[4096];
        if (getcwd(cwd, sizeof cwd) == NULL) return -errno;
        if ((size_t)snprintf(whole, sizeof whole, "%s/%s", cwd, path) >= sizeof whole) return -ENAMETOOLONG;
    }
    size_t n = 0;
    out[0] = '\0';
    char *rest = NULL;
    for (char *part = strtok_r(whole, "/", &rest); part != NULL; part = strtok_r(NULL, "/", &rest)) {
        if (strcmp(part, ".") == 0) continue;
        if (strcmp(part, "..") == 0) {
            char *slash = strrchr(out, '/');
            if (slash != NULL) *slash = '\0';
            n = strlen(out);
            continue;
        }
        int w = snprintf(out + n, sizeof out - n, "/%s", part);
        if (w < 0 || (size_t)w >= sizeof out - n) return -ENAMETOOLONG;
        n += (size_t)w;
    }
    if ((size_t)snprintf(path, size, "%s", n == 0 ? "/" : out) >= size) return -ENAMETOOLONG;
    return 0;
}

static int resolve_as_given(struct mapsync_map *m, const char *map, bool want_bpf, char *path, size_t size);

/* The path of map `map` into `path` (FORMAT.md §5), absolute and normal; want_bpf: "bpf:NAME". */
int mapsync__resolve(struct mapsync_map *m, const char *map, bool want_bpf, char *path, size_t size) {
    int rc = resolve_as_given(m, map, want_bpf, path, size);
    if (rc == 0 && (rc = normalize(path, size)) != 0) rc = mapsync__fail(m, -rc, "map %s: %s", map, strerror(-rc));
    return rc;
}

/* The path of map `map` as its name or MAPSYNC_DIR spell it. */
static int resolve_as_given(struct mapsync_map *m, const char *map, bool want_bpf, char *path, size_t size) {
    const char *name = want_bpf || strncmp(map, "shm:", 4) == 0 ? map + 4 : map;
    if (strchr(name, '/') != NULL && !want_bpf) {
        if ((size_t)snprintf(path, size, "%s", name) >= size) return mapsync__fail(m, ENAMETOOLONG, "path too long");
        return 0;
    }
    if (*name == '\0' || strchr(name, '/') != NULL || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strlen(name) > 255) {
        return mapsync__fail(m, EINVAL, "'%s' is not a map name", name);
    }
    char dir[4096];
    const char *env = getenv(MAPSYNC_DIR_ENV);
    if (env != NULL && *env != '\0') snprintf(dir, sizeof dir, "%s", env);
    else mapsync__default_dir(geteuid(), dir, sizeof dir);
    if ((size_t)snprintf(path, size, "%s/%s", dir, name) >= size) return mapsync__fail(m, ENAMETOOLONG, "path too long");
    struct stat pin, sidecar;
    char pin_path[4096];
    snprintf(pin_path, sizeof pin_path, "%s/%s", MAPSYNC_PIN_DIR, name);
    if (want_bpf && lstat(path, &sidecar) != 0 && errno == ENOENT && lstat(pin_path, &pin) == 0 && pin.st_uid != geteuid()) {
        /* a bpf map another user (root) made: its sidecar is in the default folder of the pin's owner */
        char theirs[4096];
        mapsync__default_dir(pin.st_uid, dir, sizeof dir);
        if ((size_t)snprintf(theirs, sizeof theirs, "%s/%s", dir, name) < sizeof theirs && lstat(theirs, &sidecar) == 0) {
            snprintf(path, size, "%s", theirs);
        }
    }
    return 0;
}

/*
 * Maps an shm ring's data region twice in a row (FORMAT.md §7.3), as the kernel maps its ring, so that a record that
 * wraps past the end reads and writes as one piece.
 */
static int map_ring_twice(struct mapsync_map *m, const char *what, const struct mapsync_header *h) {
    size_t capacity = h->data_length;
    int prot = PROT_READ | (m->read_only ? 0 : PROT_WRITE);
    uint8_t *area = mmap(NULL, 2 * capacity, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (area == MAP_FAILED) return mapsync__fail(m, errno, "ring %s: mmap: %s", what, strerror(errno));
    m->data = area;
    m->data_length = 2 * capacity;
    for (int i = 0; i < 2; i++) {
        if (mmap(area + i * capacity, capacity, prot, MAP_SHARED | MAP_FIXED, m->fd, (off_t)h->data_offset) == MAP_FAILED) {
            return mapsync__fail(m, errno, "ring %s: mmap: %s", what, strerror(errno));
        }
    }
    return 0;
}

/* Maps the whole file once its header is checked, and fills the handle's fields from it. */
static int map_file(struct mapsync_map *m, const char *what) {
    const struct mapsync_header *h = m->header; /* the checked copy */
    m->file_length = h->file_length;
    void *file = mmap(NULL, m->file_length, PROT_READ | (m->read_only ? 0 : PROT_WRITE), MAP_SHARED, m->fd, 0);
    if (file == MAP_FAILED) return mapsync__fail(m, errno, "map %s: mmap: %s", what, strerror(errno));
    m->file = file;
    m->map_type = h->map_type;
    m->backend = h->backend;
    m->key_size = h->key_size;
    m->value_size = h->value_size;
    m->stride = h->stride;
    m->entries = h->entries;
    m->lock_stripes = h->lock_stripes;
    m->control = m->file + h->control_offset;
    if (m->map_type == MAPSYNC_TYPE_ARRAY || m->map_type == MAPSYNC_TYPE_HASH) {
        m->locks = (struct mapsync_lock *)(m->control + MAPSYNC_STRIPES_OFFSET);
    }
    memcpy(m->key_schema, h->schema_text, h->key_schema_length);
    m->key_schema[h->key_schema_length] = '\0';
    memcpy(m->value_schema, h->schema_text + h->key_schema_length, h->value_schema_length);
    m->value_schema[h->value_schema_length] = '\0';
    if (m->backend == MAPSYNC_BACKEND_SHM && m->map_type == MAPSYNC_TYPE_RING) return map_ring_twice(m, what, h);
    if (m->backend == MAPSYNC_BACKEND_SHM && h->data_length > 0) {
        m->data = m->file + h->data_offset;
        m->data_length = h->data_length;
    }
    return 0;
}

int mapsync_open(struct mapsync_map *m, const char *map, int flags) {
    memset(m, 0, sizeof *m);
    m->fd = m->bpf_fd = m->lock_fd = -1;
    m->seat = -1;
    m->read_only = (flags & MAPSYNC_READ_ONLY) != 0;
    snprintf(m->name, sizeof m->name, "%s", map);
    bool want_bpf = strncmp(map, "bpf:", 4) == 0;
    char path[4096];
    int rc = mapsync__resolve(m, map, want_bpf, path, sizeof path);
    if (rc != 0) return rc;
    const char *what = map;
    char folder[4096];
    mapsync__folder_of(path, folder, sizeof folder);
    rc = mapsync__check_folder(m, folder);
    if (rc != 0) return rc;
    m->fd = open(path, (m->read_only ? O_RDONLY : O_RDWR) | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (m->fd < 0) {
        int err = errno;
        if (err == ENOENT) return mapsync__fail(m, ENOENT, "no map %s (no file %s)", what, path);
        if (err == ELOOP) return mapsync__fail(m, EPERM, "refusing map %s: %s is a symbolic link", what, path);
        return mapsync__fail(m, err, "map %s: open(%s): %s", what, path, strerror(err));
    }
    struct stat st;
    if (fstat(m->fd, &st) != 0) rc = mapsync__fail(m, errno, "map %s: fstat: %s", what, strerror(errno));
    else if (!S_ISREG(st.st_mode)) rc = mapsync__fail(m, EPERM, "refusing map %s: %s is not a regular file", what, path);
    else rc = mapsync__check_owner(m, what, path, &st);
    if (rc == 0) rc = await_ready(m, what, &st);
    if (rc == 0) rc = open_liveness(m, what, path, st.st_mode);
    if (rc == 0) rc = map_file(m, what);
    if (rc == 0) rc = mapsync__check_schemas(m, what);
    if (rc == 0 && want_bpf && m->backend != MAPSYNC_BACKEND_BPF) {
        rc = mapsync__fail(m, EMEDIUMTYPE, "map %s is an shm map, not a bpf map", what);
    }
    if (rc == 0 && m->map_type == MAPSYNC_TYPE_HASH && m->backend == MAPSYNC_BACKEND_SHM) {
        rc = mapsync__check_hash_table(m, what);
    }
    if (rc == 0 && m->backend == MAPSYNC_BACKEND_BPF) {
        rc = mapsync__open_kernel_map(m, what);
    }
    if (rc == 0 && !m->read_only && (m->header->flags & MAPSYNC_FLAG_REPLICA)) {
        /* its follower alone writes a read replica (FORMAT.md §12.1): what anyone else wrote would be overwritten */
        rc = mapsync__fail(m, EROFS, "map %s is a read replica of a map on another host: open it read-only"
                           " (MAPSYNC_READ_ONLY), and write on the leader", what);
    }
    if (rc == 0 && !m->read_only) rc = mapsync__claim_slot(m);
    if (rc == 0 && !m->read_only && m->map_type == MAPSYNC_TYPE_COUNTER) mapsync__mark_counter_slot(m);
    if (rc != 0) {
        char why[sizeof m->error];
        memcpy(why, m->error, sizeof why);
        mapsync_close(m);
        memcpy(m->error, why, sizeof why);
    }
    return rc;
}
