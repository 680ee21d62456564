/*
 * wide_check: reads random values of a map of 64-byte values whose eight i64 words a Java writer always writes
 * equal (testkit/WideValues), with mapsync_read, while that writer runs. A value whose words differ was read torn.
 *
 *   wide_check MAP READS          prints "reads=READS torn=T errors=E changes=C"
 *
 * changes counts the reads that found a value other than the one the previous read of the same entry found:
 * more than zero shows that the writer really wrote while the reads ran.
 */
#include <mapsync.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <inttypes.h>

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: wide_check MAP READS\n");
        return 1;
    }
    long reads = strtol(argv[2], NULL, 10);
    struct mapsync_map m;
    int rc = mapsync_open(&m, argv[1], MAPSYNC_READ_ONLY);
    if (rc != 0) {
        fprintf(stderr, "wide_check: %s\n", m.error);
        return mapsync_exit_code(rc);
    }
    if (m.value_size != 64) {
        fprintf(stderr, "wide_check: values are %u bytes, not 64\n", m.value_size);
        return 3;
    }
    uint64_t seed = 0x9E3779B97F4A7C15u, torn = 0, errors = 0, changes = 0;
    int64_t words[8];
    int64_t *last = calloc(m.entries, sizeof *last);
    bool *seen = calloc(m.entries, sizeof *seen);
    if (last == NULL || seen == NULL) return 5;
    for (long r = 0; r < reads; r++) {
        seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17;
        uint32_t index = (uint32_t)(seed % m.entries);
        if (mapsync_read(&m, index, words, 10000) != 0) {
            errors++;
            continue;
        }
        for (int i = 1; i < 8; i++) {
            if (words[i] != words[0]) {
                torn++;
                break;
            }
        }
        if (seen[index] && words[0] != last[index]) changes++;
        seen[index] = true;
        last[index] = words[0];
    }
    printf("reads=%ld torn=%" PRIu64 " errors=%" PRIu64 " changes=%" PRIu64 "\n", reads, torn, errors, changes);
    free(last);
    free(seen);
    mapsync_close(&m);
    return 0;
}
