/*
 * percpu_tool: reads and writes a per-CPU kernel map (an array, or a hash map with 4-byte integer keys) through
 * libmapsync, printing values field by field from the map's value schema ("name=value ..."; a value that is one
 * type prints as the number).
 *
 *   percpu_tool MAP get I|KEY        prints "cpuC VALUE" for each possible CPU, then "sum VALUE"; "KEY absent"
 *   percpu_tool MAP sum I|KEY        prints "VALUE": the sum as mapsync_read / mapsync_hash_get give it
 *   percpu_tool MAP set I|KEY N...   writes the value whose numeric fields are N... in order (char fields take the
 *                                    next argument as text) as every CPU's value; prints "set"
 *   percpu_tool MAP list             (hash maps) "KEY VALUE" per key, the sums, sorted by the caller
 *   percpu_tool MAP list-cpus        (hash maps) "KEY cpuC VALUE" per key and CPU
 *   percpu_tool MAP remove KEY       prints "removed" or "absent"
 *   percpu_tool MAP add I|KEY D      the add this library refuses on per-CPU maps: prints its error and exits 3
 * Errors: the library's sentence on stderr, exit 3.
 */
#include <mapsync.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct mapsync_field fields[64];
static int nfields;

static void print_value(const uint8_t *v) {
    for (int f = 0; f < nfields; f++) {
        const struct mapsync_field *d = &fields[f];
        const uint8_t *at = v + d->offset;
        if (f > 0) printf(" ");
        if (d->name[0] != '\0') printf("%s=", d->name);
        if (d->kind == MAPSYNC_CHARS) {
            printf("%.*s", (int)strnlen((const char *)at, d->count), (const char *)at);
            continue;
        }
        int64_t s = 0;
        uint64_t u = 0;
        switch (d->kind) {
        case MAPSYNC_I8: { int8_t x; memcpy(&x, at, 1); s = x; break; }
        case MAPSYNC_I16: { int16_t x; memcpy(&x, at, 2); s = x; break; }
        case MAPSYNC_I32: { int32_t x; memcpy(&x, at, 4); s = x; break; }
        case MAPSYNC_I64: { memcpy(&s, at, 8); break; }
        case MAPSYNC_U8: case MAPSYNC_BOOL: { uint8_t x; memcpy(&x, at, 1); u = x; break; }
        case MAPSYNC_U16: { uint16_t x; memcpy(&x, at, 2); u = x; break; }
        case MAPSYNC_U32: { uint32_t x; memcpy(&x, at, 4); u = x; break; }
        case MAPSYNC_U64: { memcpy(&u, at, 8); break; }
        case MAPSYNC_F32: { float x; memcpy(&x, at, 4); printf("%g", x); continue; }
        case MAPSYNC_F64: { double x; memcpy(&x, at, 8); printf("%g", x); continue; }
        default: break;
        }
        bool sign = d->kind == MAPSYNC_I8 || d->kind == MAPSYNC_I16 || d->kind == MAPSYNC_I32 || d->kind == MAPSYNC_I64;
        if (sign) printf("%lld", (long long)s);
        else printf("%llu", (unsigned long long)u);
    }
}

/* The value whose fields are args[0..], in order. */
static void parse_value(char **args, int n, uint8_t *v) {
    for (int f = 0; f < nfields && f < n; f++) {
        const struct mapsync_field *d = &fields[f];
        uint8_t *at = v + d->offset;
        if (d->kind == MAPSYNC_CHARS) {
            strncpy((char *)at, args[f], d->count);
        } else if (d->kind == MAPSYNC_F32) {
            float x = strtof(args[f], NULL);
            memcpy(at, &x, 4);
        } else if (d->kind == MAPSYNC_F64) {
            double x = strtod(args[f], NULL);
            memcpy(at, &x, 8);
        } else {
            int64_t x = strtoll(args[f], NULL, 10);
            memcpy(at, &x, d->size); /* little-endian: the low bytes */
        }
    }
}

static int fail(struct mapsync_map *m, int rc) {
    fprintf(stderr, "%s\n", m->error);
    mapsync_close(m);
    return rc == -ENOENT ? 2 : 3;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: percpu_tool MAP get|sum|set|list|list-cpus|remove|add ...\n");
        return 1;
    }
    struct mapsync_map m;
    int rc = mapsync_open(&m, argv[1], 0);
    if (rc != 0) return fail(&m, rc);
    uint32_t size;
    nfields = mapsync_schema_fields(m.value_schema, fields, 64, &size);
    if (nfields < 0 || m.cpus == 0) {
        fprintf(stderr, "percpu_tool: map %s is not a per-CPU map (%u CPUs, schema %s)\n", argv[1], m.cpus, m.value_schema);
        return 3;
    }
    bool hash = m.map_type == MAPSYNC_TYPE_HASH;
    const char *op = argv[2];
    uint32_t key = argc > 3 ? (uint32_t)strtoul(argv[3], NULL, 10) : 0;
    uint8_t *each = calloc(m.cpus, m.value_size), *value = calloc(1, m.value_size);
    if (strcmp(op, "get") == 0 && argc == 4) {
        rc = hash ? mapsync_hash_get_per_cpu(&m, &key, each) : mapsync_read_per_cpu(&m, key, each);
        if (rc == -ENOENT && hash) {
            printf("%u absent\n", key);
            rc = 0;
        } else if (rc == 0) {
            for (uint32_t c = 0; c < m.cpus; c++) {
                printf("cpu%u ", c);
                print_value(each + (size_t)c * m.value_size);
                printf("\n");
            }
            rc = mapsync_per_cpu_sum(&m, each, value);
            printf("sum ");
            print_value(value);
            printf("\n");
        }
    } else if (strcmp(op, "sum") == 0 && argc == 4) {
        rc = hash ? mapsync_hash_get(&m, &key, value, 1000) : mapsync_read(&m, key, value, 1000);
        if (rc == 0) {
            print_value(value);
            printf("\n");
        }
    } else if (strcmp(op, "set") == 0 && argc >= 5) {
        parse_value(argv + 4, argc - 4, value);
        rc = hash ? mapsync_hash_put(&m, &key, value, 1000) : mapsync_write(&m, key, value, 1000);
        if (rc == 0) printf("set\n");
    } else if ((strcmp(op, "list") == 0 || strcmp(op, "list-cpus") == 0) && hash) {
        bool cpus = strcmp(op, "list-cpus") == 0;
        struct mapsync_hash_iter it;
        rc = mapsync_hash_iter_begin(&m, &it);
        while (rc == 0) {
            int got = cpus ? mapsync_hash_next_per_cpu(&it, &key, each) : mapsync_hash_next(&it, &key, value);
            if (got <= 0) {
                rc = got;
                break;
            }
            for (uint32_t c = 0; c < (cpus ? m.cpus : 1); c++) {
                printf("%u ", key);
                if (cpus) printf("cpu%u ", c);
                print_value(cpus ? each + (size_t)c * m.value_size : value);
                printf("\n");
            }
        }
        mapsync_hash_iter_end(&it);
    } else if (strcmp(op, "remove") == 0 && argc == 4 && hash) {
        rc = mapsync_hash_remove(&m, &key, 1000);
        if (rc == -ENOENT) {
            printf("absent\n");
            rc = 0;
        } else if (rc == 0) {
            printf("removed\n");
        }
    } else if (strcmp(op, "add") == 0 && argc == 5) {
        int64_t delta = strtoll(argv[4], NULL, 10);
        rc = hash ? mapsync_hash_add(&m, &key, fields[0].offset, fields[0].size, delta, NULL, 1000)
                  : mapsync_fetch_add(&m, key, fields[0].offset, fields[0].size, delta, NULL);
        if (rc == 0) printf("added\n");
    } else {
        fprintf(stderr, "percpu_tool: bad arguments\n");
        return 1;
    }
    free(each);
    free(value);
    if (rc != 0) return fail(&m, rc);
    mapsync_close(&m);
    return 0;
}
