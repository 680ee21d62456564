/*
 * ring_consume: the C side of RingConsumerChild. Becomes the ring's consumer, says "consuming", checks that every
 * source's records come with seq 0, 1, 2, ... (each once, in order), and ends when it got EXPECTED records (-1: when
 * the ring is sealed and drained) or after TIMEOUT seconds. Last line:
 * "records=R lost=L violations=V counts=source:count,...", sources in ascending order.
 *
 *   ring_consume MAP EXPECTED TIMEOUT
 */
#include <mapsync.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct item { int32_t source, kind; int64_t seq; };

#define SOURCES 64

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: ring_consume MAP EXPECTED TIMEOUT\n");
        return 1;
    }
    long expected = strtol(argv[2], NULL, 10);
    time_t deadline = time(NULL) + strtol(argv[3], NULL, 10);
    struct mapsync_map m;
    struct mapsync_consumer c;
    int rc = mapsync_open(&m, argv[1], 0);
    if (rc == 0) rc = mapsync_consumer_open(&m, &c);
    if (rc != 0) {
        fprintf(stderr, "ring_consume: %s\n", m.error);
        return mapsync_exit_code(rc);
    }
    printf("consuming\n");
    fflush(stdout);
    int64_t next[SOURCES] = {0};
    long records = 0, violations = 0;
    while (expected < 0 || records < expected) {
        if (time(NULL) > deadline) {
            printf("timed out\n");
            break;
        }
        struct item it;
        uint32_t length;
        rc = mapsync_consume(&c, &it, sizeof it, &length, 200);
        if (rc == -ETIMEDOUT) continue;
        if (rc == -EPIPE) break;
        if (rc != 0 || length != sizeof it || it.source < 0 || it.source >= SOURCES) {
            fprintf(stderr, "ring_consume: %s\n", rc != 0 ? m.error : "a record of another shape");
            return 5;
        }
        records++;
        if (it.seq != next[it.source] && violations++ < 5) {
            printf("violation: source %d sent %lld, expected %lld\n", it.source, (long long)it.seq, (long long)next[it.source]);
        }
        next[it.source] = it.seq + 1;
    }
    printf("records=%ld lost=%llu violations=%ld counts=", records, (unsigned long long)c.lost, violations);
    const char *sep = "";
    for (int s = 0; s < SOURCES; s++) {
        if (next[s] == 0) continue;
        printf("%s%d:%lld", sep, s, (long long)next[s]);
        sep = ",";
    }
    printf("\n");
    mapsync_consumer_close(&c);
    mapsync_close(&m);
    return 0;
}
