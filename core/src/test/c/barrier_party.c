/*
 * barrier_party: the C side of BarrierChild. Awaits ROUNDS generations (60 s each), checking that each is the next
 * one, prints "generations=N mismatches=M", then "waiting" and awaits once more, printing "tripped G" or the error
 * ("broken: ..." for a broken barrier, "timed out: ..." after 60 s).
 *
 *   barrier_party MAP ROUNDS
 */
#include <mapsync.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: barrier_party MAP ROUNDS\n");
        return 1;
    }
    long rounds = strtol(argv[2], NULL, 10);
    struct mapsync_map m;
    int rc = mapsync_open(&m, argv[1], 0);
    long mismatches = 0;
    uint64_t g = 0;
    for (long r = 0; rc == 0 && r < rounds; r++) {
        rc = mapsync_barrier_await(&m, 60000, &g);
        if (rc == 0 && g != (uint64_t)r) mismatches++;
    }
    if (rc != 0) {
        fprintf(stderr, "barrier_party: %s\n", m.error);
        return mapsync_exit_code(rc);
    }
    printf("generations=%ld mismatches=%ld\nwaiting\n", rounds, mismatches);
    fflush(stdout);
    rc = mapsync_barrier_await(&m, 60000, &g);
    if (rc == 0) printf("tripped %llu\n", (unsigned long long)g);
    else printf("%s: %s\n", rc == -EPIPE ? "broken" : rc == -ETIMEDOUT ? "timed out" : "failed", m.error);
    mapsync_close(&m);
    return 0;
}
