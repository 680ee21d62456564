/*
 * create.c: making a new shm map as the Java library makes it (FORMAT.md §2, §5): the folder, the file with O_EXCL,
 * its blocks, its header, its liveness file, and the ready word last.
 */
#include "internal.h"

#include <sys/mman.h>
#include <sys/random.h>
#include <time.h>

#define DEFAULT_MAX_STRIPES 4096u
#define DEFAULT_CHANGELOG 4096u
#define KEYS_PER_SEGMENT 128u
#define DEFAULT_MODE 0600u

/* The spec's fields in a header, with the defaults Java's specs take; -EINVAL with a sentence for a bad spec. */
static int fill_header(struct mapsync_map *m, const char *what, const struct mapsync_create_spec *s,
                       struct mapsync_header *h) {
    bool keyed = s->map_type == MAPSYNC_TYPE_ARRAY || s->map_type == MAPSYNC_TYPE_HASH;
    if (s->map_type < MAPSYNC_TYPE_ARRAY || s->map_type > MAPSYNC_TYPE_COUNTER) {
        return mapsync__fail(m, EINVAL, "map %s: unknown map type %u", what, s->map_type);
    }
    if (s->entries < 1) return mapsync__fail(m, EINVAL, "map %s: entries, capacity or parties must be at least 1", what);
    const char *key = s->map_type == MAPSYNC_TYPE_HASH ? s->key_schema : s->map_type == MAPSYNC_TYPE_ARRAY ? "u32" : "";
    const char *value = keyed || s->map_type == MAPSYNC_TYPE_RING ? s->value_schema : NULL;
    if (s->map_type == MAPSYNC_TYPE_COUNTER) {
        if (s->key_schema != NULL || (s->value_schema != NULL && strcmp(s->value_schema, "i64") != 0)) {
            return mapsync__fail(m, EINVAL, "map %s: a counter map's counters are i64 and it has no keys", what);
        }
        if (s->entries > MAPSYNC_SLOT_COUNT) {
            return mapsync__fail(m, EINVAL, "map %s: a counter map has 1 to %d counters, not %u", what,
                                 MAPSYNC_SLOT_COUNT, s->entries);
        }
        value = "i64";
    }
    if (value == NULL) value = "";
    if (key == NULL) return mapsync__fail(m, EINVAL, "map %s: a hash map needs a key schema", what);
    if (keyed && *value == '\0') return mapsync__fail(m, EINVAL, "map %s: an array or hash map needs a value schema", what);
    if (s->map_type == MAPSYNC_TYPE_BARRIER && (s->key_schema != NULL || s->value_schema != NULL)) {
        return mapsync__fail(m, EINVAL, "map %s: a barrier has no schema", what);
    }
    if (s->map_type == MAPSYNC_TYPE_RING && s->key_schema != NULL) {
        return mapsync__fail(m, EINVAL, "map %s: a ring has no key schema", what);
    }
    size_t klen = strlen(key), vlen = strlen(value);
    if (klen + vlen > MAPSYNC_SCHEMA_TEXT_MAX) {
        return mapsync__fail(m, EINVAL, "map %s: the schema text is %zu bytes; a map header holds at most %d", what,
                             klen + vlen, MAPSYNC_SCHEMA_TEXT_MAX);
    }
    long ksize = *key == '\0' ? 0 : mapsync__schema_size(key), vsize = *value == '\0' ? 0 : mapsync__schema_size(value);
    if (ksize < 0) return mapsync__fail(m, EINVAL, "map %s: '%s' is not a schema", what, key);
    if (vsize < 0) return mapsync__fail(m, EINVAL, "map %s: '%s' is not a schema", what, value);
    memcpy(h->magic, "MAPSYNC", 8);
    h->version = MAPSYNC_VERSION;
    h->map_type = s->map_type;
    h->backend = MAPSYNC_BACKEND_SHM;
    h->key_size = (uint32_t)ksize;
    h->value_size = (uint32_t)vsize;
    h->entries = s->entries;
    if (keyed) {
        uint32_t stripes = s->lock_stripes;
        if (stripes == 0 && s->map_type == MAPSYNC_TYPE_ARRAY) {
            stripes = s->entries < DEFAULT_MAX_STRIPES ? s->entries : DEFAULT_MAX_STRIPES;
        } else if (stripes == 0) {
            uint64_t g = ((uint64_t)s->entries + KEYS_PER_SEGMENT - 1) / KEYS_PER_SEGMENT;
            stripes = (uint32_t)(g > DEFAULT_MAX_STRIPES ? DEFAULT_MAX_STRIPES : g);
        } else if (stripes > s->entries) {
            stripes = s->entries; /* as Java's specs cap them: no more stripes than entries */
        }
        h->lock_stripes = stripes;
        h->changelog_capacity = s->changelog_capacity != 0 ? s->changelog_capacity : DEFAULT_CHANGELOG;
    } else if (s->lock_stripes != 0 || s->changelog_capacity != 0) {
        return mapsync__fail(m, EINVAL, "map %s: a ring, barrier or counter map has no lock stripes or changelog", what);
    }
    h->key_schema_length = (uint32_t)klen;
    h->value_schema_length = (uint32_t)vlen;
    memcpy(h->schema_text, key, klen);
    memcpy(h->schema_text + klen, value, vlen);
    const struct mapsync__proc *self = mapsync__self();
    h->creator_pid = self->pid;
    h->creator_start_time = self->start_time;
    h->creator_pid_ns = self->pid_ns;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    h->created_at_ns = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
    if (!mapsync__lay_out(h)) {
        return mapsync__fail(m, EINVAL, "map %s: a hash map of %u entries of %u-byte keys and %u-byte values in %u"
                             " segments is too large; give it more segments", what, h->entries, h->key_size,
                             h->value_size, h->lock_stripes);
    }
    /* the opener's checks, so that nothing is made that no one could open */
    int rc = mapsync__check_geometry(m, what, h, h->file_length);
    if (rc != 0) {
        char why[sizeof m->error];
        const char *corrupt = strstr(m->error, "is corrupt: ");
        snprintf(why, sizeof why, "%s", corrupt != NULL ? corrupt + strlen("is corrupt: ") : m->error);
        return mapsync__fail(m, EINVAL, "map %s cannot be made: %s", what, why);
    }
    return 0;
}

/*
 * Makes the folder if it is missing, as Java does: a default folder 0755 (its user's maps readable by those their
 * mode lets in), any other 0700 with its parents; then the folder must be one that may be trusted.
 */
static int prepare_folder(struct mapsync_map *m, const char *folder) {
    struct stat st;
    if (lstat(folder, &st) != 0 && errno == ENOENT) {
        char part[4096];
        snprintf(part, sizeof part, "%s", folder);
        for (char *p = part + 1; ; p++) {
            if (*p != '/' && *p != '\0') continue;
            char c = *p;
            *p = '\0';
            if (mkdir(part, 0700) != 0 && errno != EEXIST) {
                return mapsync__fail(m, errno == EROFS ? EACCES : errno, "cannot create folder %s: %s", part, strerror(errno));
            }
            *p = c;
            if (c == '\0') break;
        }
        /* chmod, because of the umask; a folder another process made first is judged by the check below */
        if (mapsync__default_dir_user(folder) >= 0 && lstat(folder, &st) == 0 && S_ISDIR(st.st_mode)
            && st.st_uid == geteuid()) {
            chmod(folder, 0755);
        }
    }
    int rc = mapsync__check_folder(m, folder);
    if (rc != 0) return rc;
    if (lstat(folder, &st) != 0) return mapsync__fail(m, errno, "cannot use folder %s: %s", folder, strerror(errno));
    return 0;
}

/* Makes the liveness file of a map file this process has just made exclusively; one already there is left from a
 * deleted map of the name, or planted: the name is ours now, so it is replaced (FORMAT.md §4.1). */
static int create_liveness(struct mapsync_map *m, const char *what, const char *path, mode_t mode) {
    char live[4096 + sizeof MAPSYNC_LIVE_SUFFIX];
    snprintf(live, sizeof live, "%s%s", path, MAPSYNC_LIVE_SUFFIX);
    for (int attempt = 0; ; attempt++) {
        int fd = open(live, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd >= 0) {
            if (fchmod(fd, mapsync__liveness_mode(mode)) != 0) { /* exactly, whatever the umask */
                int err = errno;
                close(fd);
                unlink(live);
                return mapsync__fail(m, err, "map %s: fchmod(%s): %s", what, live, strerror(err));
            }
            return fd;
        }
        if (errno != EEXIST || attempt == 3) return mapsync__fail(m, errno, "map %s: open(%s): %s", what, live, strerror(errno));
        if (unlink(live) != 0 && errno != ENOENT) {
            return mapsync__fail(m, errno == EPERM ? EACCES : errno, "refusing to create map %s: %s is already there and"
                                 " may not be replaced (%s); remove it as root, or set MAPSYNC_DIR to a folder you own",
                                 what, live, strerror(errno));
        }
    }
}

/* Writes the header (every field but the ready word) and a hash map's table header into the new file's mapping. */
static void write_map(uint8_t *file, const struct mapsync_header *h) {
    memcpy(file, h, MAPSYNC_HEADER_SIZE);
    ((struct mapsync_header *)file)->ready = 0;
    if (h->map_type == MAPSYNC_TYPE_HASH) {
        uint64_t seed;
        if (getrandom(&seed, sizeof seed, 0) != (ssize_t)sizeof seed) seed = mapsync__now_ns() ^ ((uint64_t)getpid() << 32);
        mapsync__write_hash_table(file + h->data_offset, h, seed);
    }
}

int mapsync_create(struct mapsync_map *m, const char *map, const struct mapsync_create_spec *spec) {
    memset(m, 0, sizeof *m);
    m->fd = m->bpf_fd = m->lock_fd = -1;
    m->seat = -1;
    if (map == NULL || spec == NULL) return mapsync__fail(m, EINVAL, "mapsync_create needs a map name and a spec");
    snprintf(m->name, sizeof m->name, "%s", map);
    if (strncmp(map, "bpf:", 4) == 0) return mapsync__fail(m, EINVAL, "map %s: libmapsync creates shm maps only", map);
    struct mapsync_header *h = calloc(1, MAPSYNC_HEADER_SIZE);
    if (h == NULL) return mapsync__fail(m, ENOMEM, "map %s: out of memory", map);
    char path[4096], folder[4096];
    int rc = fill_header(m, map, spec, h);
    if (rc == 0) rc = mapsync__resolve(m, map, false, path, sizeof path);
    if (rc == 0) {
        mapsync__folder_of(path, folder, sizeof folder);
        rc = prepare_folder(m, folder);
    }
    if (rc != 0) {
        free(h);
        return rc;
    }
    mode_t mode = spec->mode != 0 ? spec->mode & 07777 : DEFAULT_MODE;
    /* O_EXCL: of two creators exactly one makes the file; 0600 until the fchmod sets the mode whatever the umask */
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        int err = errno;
        free(h);
        if (err == EEXIST) return mapsync__fail(m, EEXIST, "map %s exists already (%s)", map, path);
        if (err == ELOOP) return mapsync__fail(m, EPERM, "refusing map %s: %s is a symbolic link", map, path);
        return mapsync__fail(m, err, "map %s: open(%s): %s", map, path, strerror(err));
    }
    int live = -1;
    uint8_t *file = MAP_FAILED;
    if (fchmod(fd, mode) != 0) {
        rc = mapsync__fail(m, errno, "map %s: fchmod(%s): %s", map, path, strerror(errno));
    } else if (fallocate(fd, 0, 0, (off_t)h->file_length) != 0) {
        /* the blocks reserved now: a full /dev/shm fails here, not with SIGBUS at a later write */
        rc = mapsync__fail(m, errno, "map %s: cannot allocate %llu bytes for %s: %s", map,
                           (unsigned long long)h->file_length, path, strerror(errno));
    } else if ((file = mmap(NULL, h->file_length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) == MAP_FAILED) {
        rc = mapsync__fail(m, errno, "map %s: mmap: %s", map, strerror(errno));
    } else {
        write_map(file, h);
        /* before publishing: an opener of a ready map finds its liveness file */
        live = create_liveness(m, map, path, mode);
        if (live < 0) rc = live;
        /* the ready word last, with release: an opener that sees it sees every field written before it */
        else __atomic_store_n((uint32_t *)(file + offsetof(struct mapsync_header, ready)), 1u, __ATOMIC_RELEASE);
    }
    if (rc != 0) {
        if (live >= 0) {
            char live_path[4096 + sizeof MAPSYNC_LIVE_SUFFIX];
            snprintf(live_path, sizeof live_path, "%s%s", path, MAPSYNC_LIVE_SUFFIX);
            unlink(live_path);
        }
        unlink(path);
    }
    if (file != MAP_FAILED) munmap(file, h->file_length);
    free(h);
    if (rc != 0) {
        if (live >= 0) close(live);
        close(fd);
        return rc;
    }
    /* the published map, opened as any opener opens it: checked, mapped, and a process slot claimed */
    char why[sizeof m->error];
    rc = mapsync_open(m, path, 0);
    struct stat made, opened;
    if (rc == 0 && (fstat(fd, &made) != 0 || fstat(m->fd, &opened) != 0 || made.st_ino != opened.st_ino
                    || made.st_dev != opened.st_dev)) {
        mapsync_close(m);
        rc = mapsync__fail(m, ESTALE, "map %s was deleted and made again by another process while it was created", map);
    }
    memcpy(why, m->error, sizeof why);
    close(live);
    close(fd);
    if (rc == 0) snprintf(m->name, sizeof m->name, "%s", map);
    memcpy(m->error, why, sizeof why);
    return rc;
}
