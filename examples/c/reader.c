/*
 * reader: prints values of any map field by field, laid out as the value schema text in the map's header says,
 * each read consistently (mapsync_read: never a value half-written by a concurrent Java writer).
 *
 *   reader MAP [--timeout-ms MS] [INDEX...]
 *
 * MAP is NAME (in $MAPSYNC_DIR, else /dev/shm/mapsync), bpf:NAME (build reader-bpf), or a path. Without an
 * index, every value is printed. Output, for each value:
 *
 *   [7]
 *     id = 7
 *     owner = "ada"
 *     pos.x = 1.5
 *     tags = [1, 2, 255]
 *
 * A value a writer left half-written when it died prints "[3] torn: ..." and the exit code is 6; one a live
 * writer kept busy for the whole timeout (default 2000 ms) prints "[3] timed out: ..." and the exit code is 124.
 * Other exit codes are those of the mapsync command.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <mapsync.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void print_string(const uint8_t *p, uint32_t n) {
    putchar('"');
    for (uint32_t i = 0; i < n && p[i] != 0; i++) {
        if (p[i] == '"' || p[i] == '\\') printf("\\%c", p[i]);
        else if (p[i] < 0x20) printf("\\x%02x", p[i]);
        else putchar(p[i]);
    }
    putchar('"');
}

static void print_scalar(enum mapsync_kind kind, const uint8_t *p) {
    switch (kind) {
    case MAPSYNC_I8: { int8_t v; memcpy(&v, p, 1); printf("%" PRId8, v); break; }
    case MAPSYNC_I16: { int16_t v; memcpy(&v, p, 2); printf("%" PRId16, v); break; }
    case MAPSYNC_I32: { int32_t v; memcpy(&v, p, 4); printf("%" PRId32, v); break; }
    case MAPSYNC_I64: { int64_t v; memcpy(&v, p, 8); printf("%" PRId64, v); break; }
    case MAPSYNC_U8: { uint8_t v; memcpy(&v, p, 1); printf("%" PRIu8, v); break; }
    case MAPSYNC_U16: { uint16_t v; memcpy(&v, p, 2); printf("%" PRIu16, v); break; }
    case MAPSYNC_U32: { uint32_t v; memcpy(&v, p, 4); printf("%" PRIu32, v); break; }
    case MAPSYNC_U64: { uint64_t v; memcpy(&v, p, 8); printf("%" PRIu64, v); break; }
    case MAPSYNC_F32: { float v; memcpy(&v, p, 4); printf("%.9g", (double)v); break; }
    case MAPSYNC_F64: { double v; memcpy(&v, p, 8); printf("%.17g", v); break; }
    case MAPSYNC_BOOL: printf("%s", *p ? "true" : "false"); break;
    case MAPSYNC_CHARS: break;
    }
}

static void print_value(const struct mapsync_field *fields, int n, const uint8_t *value) {
    for (int i = 0; i < n; i++) {
        const struct mapsync_field *f = &fields[i];
        printf("  %s = ", f->name[0] ? f->name : "value");
        if (f->kind == MAPSYNC_CHARS) {
            print_string(value + f->offset, f->count);
        } else if (f->array) {
            putchar('[');
            for (uint32_t k = 0; k < f->count; k++) {
                if (k > 0) printf(", ");
                print_scalar(f->kind, value + f->offset + k * f->size);
            }
            putchar(']');
        } else {
            print_scalar(f->kind, value + f->offset);
        }
        putchar('\n');
    }
}

/* Reads and prints value `index`; returns 0 or the exit code its failure calls for. */
static int show(struct mapsync_map *m, const struct mapsync_field *fields, int n, uint32_t index,
                uint8_t *buffer, long timeout_ms) {
    int rc = mapsync_read(m, index, buffer, timeout_ms);
    if (rc == -ENOTRECOVERABLE) {
        printf("[%u] torn: its writer died while writing it; it cannot be read until a lock owner writes it again\n", index);
        return 6;
    }
    if (rc == -ETIMEDOUT) {
        printf("[%u] timed out: a live writer kept writing its stripe for %ld ms\n", index, timeout_ms);
        return 124;
    }
    if (rc != 0) {
        fprintf(stderr, "reader: value %u: %s\n", index, strerror(-rc));
        return mapsync_exit_code(rc);
    }
    printf("[%u]\n", index);
    print_value(fields, n, buffer);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: reader MAP [--timeout-ms MS] [INDEX...]\n");
        return 1;
    }
    int first = 2;
    long timeout_ms = 2000;
    if (argc >= 4 && strcmp(argv[2], "--timeout-ms") == 0) {
        timeout_ms = strtol(argv[3], NULL, 10);
        first = 4;
    }
    struct mapsync_map m;
    int rc = mapsync_open(&m, argv[1], MAPSYNC_READ_ONLY);
    if (rc != 0) {
        fprintf(stderr, "reader: %s\n", m.error);
        return mapsync_exit_code(rc);
    }
    int max = MAPSYNC_SCHEMA_TEXT_MAX / 2;
    struct mapsync_field *fields = malloc(sizeof *fields * (size_t)max);
    uint8_t *buffer = malloc(m.stride);
    uint32_t size;
    int n = fields == NULL || buffer == NULL ? -ENOMEM : mapsync_schema_fields(m.value_schema, fields, max, &size);
    int status = 0;
    if (n < 0) {
        fprintf(stderr, "reader: value schema '%s': %s\n", m.value_schema, strerror(-n));
        status = 3;
    } else if (first == argc) {
        for (uint32_t i = 0; i < m.entries; i++) {
            int s = show(&m, fields, n, i, buffer, timeout_ms);
            if (s != 0) status = s;
        }
    } else {
        for (int a = first; a < argc; a++) {
            char *end;
            unsigned long index = strtoul(argv[a], &end, 10);
            if (*end != '\0' || end == argv[a] || index >= m.entries) {
                fprintf(stderr, "reader: index %s is out of range for map %s (0..%u)\n", argv[a], argv[1], m.entries - 1);
                status = 1;
                continue;
            }
            int s = show(&m, fields, n, (uint32_t)index, buffer, timeout_ms);
            if (s != 0) status = s;
        }
    }
    free(fields);
    free(buffer);
    mapsync_close(&m);
    return status;
}
