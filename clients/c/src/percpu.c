/*
 * percpu.c: per-CPU kernel maps (FORMAT.md §6, §10.8). A BPF_MAP_TYPE_PERCPU_ARRAY, PERCPU_HASH or LRU_PERCPU_HASH
 * holds one value per possible CPU for each element; the kernel copies all of them at once, CPU by CPU, each
 * round_up(value_size, 8) apart. A read as one value is their sum, field by field, as the Java library sums them
 * (PerCpuValues): integers wrap at their width, floats add in their precision in CPU order, and bools, chars and
 * padding are CPU 0's; a write as one value is every CPU's. The per-CPU array is opened here; the per-CPU hash map in
 * bpf_hash.c, which reads and writes through the same helpers.
 */
#include "internal.h"

#define STACK_FIELDS 64
#define MAX_FIELDS 2048 /* a schema text of at most 3840 bytes has fewer fields than this */

/* Adds the `count` elements of `kind` (each `size` bytes) at `from` to those at `into`. */
static void add_field(uint8_t *into, const uint8_t *from, enum mapsync_kind kind, uint32_t size, uint32_t count) {
    for (uint32_t e = 0; e < count; e++, into += size, from += size) {
        switch (kind) {
        case MAPSYNC_F32: { float a, b; memcpy(&a, into, 4); memcpy(&b, from, 4); a += b; memcpy(into, &a, 4); break; }
        case MAPSYNC_F64: { double a, b; memcpy(&a, into, 8); memcpy(&b, from, 8); a += b; memcpy(into, &a, 8); break; }
        case MAPSYNC_BOOL: case MAPSYNC_CHARS: return; /* CPU 0's */
        default: {
            /* an integer of any width and sign: the low `size` bytes of the unsigned sum (little-endian) */
            uint64_t a = 0, b = 0;
            memcpy(&a, into, size);
            memcpy(&b, from, size);
            a += b;
            memcpy(into, &a, size);
        }
        }
    }
}

/* The sum of m->cpus values at `all`, `stride` bytes apart, into `sum`. */
int mapsync__per_cpu_sum(struct mapsync_map *m, const uint8_t *all, size_t stride, void *sum) {
    struct mapsync_field stack[STACK_FIELDS], *fields = stack;
    uint32_t size;
    int n = mapsync_schema_fields(m->value_schema, stack, STACK_FIELDS, &size);
    if (n == -ENOSPC) {
        fields = malloc(sizeof *fields * MAX_FIELDS);
        if (fields == NULL) return mapsync__fail(m, ENOMEM, "out of memory summing a value of map %s", m->name);
        n = mapsync_schema_fields(m->value_schema, fields, MAX_FIELDS, &size);
    }
    int rc = 0;
    if (n < 0 || size != m->value_size) {
        rc = mapsync__fail(m, EBADMSG, "map %s is corrupt: its value schema does not describe its %u-byte values",
                           m->name, m->value_size);
    } else {
        memcpy(sum, all, m->value_size); /* CPU 0's, whole: what is not a number stays so */
        for (uint32_t cpu = 1; cpu < m->cpus; cpu++) {
            const uint8_t *value = all + cpu * stride;
            for (int f = 0; f < n; f++) {
                add_field((uint8_t *)sum + fields[f].offset, value + fields[f].offset, fields[f].kind, fields[f].size,
                          fields[f].count);
            }
        }
    }
    if (fields != stack) free(fields);
    return rc;
}

int mapsync_per_cpu_sum(struct mapsync_map *m, const void *values, void *sum) {
    if (m->cpus == 0) return mapsync__fail(m, EMEDIUMTYPE, "map %s is not a per-CPU map", m->name);
    return mapsync__per_cpu_sum(m, values, m->value_size, sum);
}

/* The kernel's values of every CPU as the caller's C array of values (value_size apart). */
void mapsync__per_cpu_unpack(const struct mapsync_map *m, const uint8_t *all, void *values) {
    size_t stride = mapsync__round_up(m->value_size, 8);
    for (uint32_t cpu = 0; cpu < m->cpus; cpu++) {
        memcpy((uint8_t *)values + (size_t)cpu * m->value_size, all + cpu * stride, m->value_size);
    }
}

/* `value` as every CPU's, in the kernel's layout (the padding zero). */
void mapsync__per_cpu_replicate(const struct mapsync_map *m, const void *value, uint8_t *all) {
    size_t stride = mapsync__round_up(m->value_size, 8);
    memset(all, 0, stride * m->cpus);
    for (uint32_t cpu = 0; cpu < m->cpus; cpu++) memcpy(all + cpu * stride, value, m->value_size);
}

int mapsync__per_cpu_refused(struct mapsync_map *m, const char *operation) {
    return mapsync__fail(m, ENOTSUP, "map %s is a per-CPU %s: %s", m->name,
                         m->map_type == MAPSYNC_TYPE_ARRAY ? "array" : "hash map", operation);
}

#ifdef MAPSYNC_WITH_LIBBPF
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#define ACCESS_SYSCALL 1

/* The possible CPUs (libbpf counts /sys/devices/system/cpu/possible, the kernel's copy size), checked against the
 * value size so that cpus * round_up(value_size, 8) is a buffer this process can have. */
int mapsync__possible_cpus(struct mapsync_map *m, const char *what) {
    int cpus = libbpf_num_possible_cpus();
    if (cpus <= 0) {
        return mapsync__fail(m, cpus < 0 ? -cpus : EINVAL, "per-CPU map %s: cannot count the possible CPUs in"
                             " /sys/devices/system/cpu/possible: %s", what, strerror(cpus < 0 ? -cpus : EINVAL));
    }
    if ((uint64_t)cpus * mapsync__round_up(m->value_size, 8) > (1u << 30)) {
        return mapsync__fail(m, EMEDIUMTYPE, "per-CPU map %s: %d CPUs of %u-byte values make more than 1 GiB per element",
                             what, cpus, m->value_size);
    }
    m->cpus = (uint32_t)cpus;
    return 0;
}

/* A per-CPU array: checked against its sidecar, never mapped; every value a bpf(2) copy. */
int mapsync__open_kernel_per_cpu_array(struct mapsync_map *m, const char *what) {
    const struct mapsync_header *h = m->header;
    if (h->bpf_access != ACCESS_SYSCALL) {
        return mapsync__fail(m, EBADMSG, "bpf map %s is corrupt: its sidecar records a per-CPU array with access %u (a"
                             " per-CPU array's is 1, syscall)", what, h->bpf_access);
    }
    struct bpf_map_info info;
    int rc = mapsync__open_pin(m, what, false, &info);
    if (rc != 0) return rc;
    if (info.type != BPF_MAP_TYPE_PERCPU_ARRAY || info.key_size != 4 || info.value_size != h->value_size
        || info.max_entries != h->entries) {
        return mapsync__fail(m, EMEDIUMTYPE, "bpf map %s: the kernel map pinned at %s (type %u, key %u, value %u, %u"
                             " entries) does not match its sidecar (percpu_array, key 4, value %u, %u entries); the pin"
                             " was replaced: delete the sidecar to adopt the new map", what, m->pin, info.type,
                             info.key_size, info.value_size, info.max_entries, h->value_size, h->entries);
    }
    return mapsync__possible_cpus(m, what);
}

static int checked(struct mapsync_map *m, uint32_t index) {
    if (m->map_type != MAPSYNC_TYPE_ARRAY || m->cpus == 0) return mapsync__fail(m, EMEDIUMTYPE, "map %s is not a per-CPU array", m->name);
    if (index >= m->entries) return mapsync__fail(m, ERANGE, "index %u out of range for map %s (0..%u)", index, m->name, m->entries - 1);
    return 0;
}

static uint8_t *all_values(struct mapsync_map *m) {
    uint8_t *all = calloc(m->cpus, mapsync__round_up(m->value_size, 8));
    if (all == NULL) mapsync__fail(m, ENOMEM, "out of memory for the per-CPU values of map %s", m->name);
    return all;
}

static int lookup(struct mapsync_map *m, uint32_t index, uint8_t *all) {
    if (bpf_map_lookup_elem(m->bpf_fd, &index, all) != 0) {
        return mapsync__fail(m, errno, "per-CPU array %s: BPF_MAP_LOOKUP_ELEM: %s", m->name, strerror(errno));
    }
    return 0;
}

int mapsync__per_cpu_array_read(struct mapsync_map *m, uint32_t index, void *sum) {
    int rc = checked(m, index);
    if (rc != 0) return rc;
    uint8_t *all = all_values(m);
    if (all == NULL) return -ENOMEM;
    rc = lookup(m, index, all);
    if (rc == 0) rc = mapsync__per_cpu_sum(m, all, mapsync__round_up(m->value_size, 8), sum);
    free(all);
    return rc;
}

int mapsync_read_per_cpu(struct mapsync_map *m, uint32_t index, void *values) {
    int rc = checked(m, index);
    if (rc != 0) return rc;
    uint8_t *all = all_values(m);
    if (all == NULL) return -ENOMEM;
    rc = lookup(m, index, all);
    if (rc == 0) mapsync__per_cpu_unpack(m, all, values);
    free(all);
    return rc;
}

/* A write as Java's set: every CPU's value, under the entry's lock (unless the calling thread holds it), recorded. */
int mapsync__per_cpu_array_write(struct mapsync_map *m, uint32_t index, const void *value, long timeout_ms) {
    int rc = checked(m, index);
    if (rc != 0) return rc;
    if (m->read_only) return mapsync__fail(m, EBADF, "map %s is open read-only; it cannot be written", m->name);
    uint8_t *all = all_values(m);
    if (all == NULL) return -ENOMEM;
    mapsync__per_cpu_replicate(m, value, all);
    bool held = mapsync_holds(m, index);
    if (!held) rc = mapsync_lock(m, index, timeout_ms, NULL);
    if (rc == 0) {
        if (bpf_map_update_elem(m->bpf_fd, &index, all, BPF_ANY) != 0) {
            rc = mapsync__fail(m, errno, "per-CPU array %s: BPF_MAP_UPDATE_ELEM: %s", m->name, strerror(errno));
        } else {
            mapsync_record_change(m, index, MAPSYNC_CHANGE_WRITE);
        }
        if (!held) mapsync_unlock(m, index);
    }
    free(all);
    return rc;
}
#else
int mapsync_read_per_cpu(struct mapsync_map *m, uint32_t index, void *values) {
    (void)index, (void)values;
    return mapsync__fail(m, EMEDIUMTYPE, "map %s is not a per-CPU array", m->name);
}
int mapsync__per_cpu_array_read(struct mapsync_map *m, uint32_t index, void *sum) {
    (void)index, (void)sum;
    return mapsync__fail(m, EMEDIUMTYPE, "map %s is not a per-CPU array", m->name);
}
int mapsync__per_cpu_array_write(struct mapsync_map *m, uint32_t index, const void *value, long timeout_ms) {
    (void)index, (void)value, (void)timeout_ms;
    return mapsync__fail(m, EMEDIUMTYPE, "map %s is not a per-CPU array", m->name);
}
#endif
