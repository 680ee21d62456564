/*
 * ledger_check: the C side of TotalChecker. Until STOP exists, sums every account under the locks of all of them
 * (the total must be TOTAL every time) and reads accounts without a lock with mapsync_read (each must be whole: its
 * check field ~balance). The map holds testkit/Ledger accounts: id:i64,balance:i64,check:i64,owner:char[8].
 *
 *   ledger_check MAP ACCOUNTS TOTAL STOP      prints "samples=S violations=V torn=T reads=R errors=E"
 */
#include <mapsync.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct account { int64_t id, balance, check; char owner[8]; };

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: ledger_check MAP ACCOUNTS TOTAL STOP\n");
        return 1;
    }
    uint32_t accounts = (uint32_t)strtoul(argv[2], NULL, 10);
    int64_t total = strtoll(argv[3], NULL, 10);
    struct mapsync_map m;
    int rc = mapsync_open(&m, argv[1], 0);
    if (rc != 0) {
        fprintf(stderr, "ledger_check: %s\n", m.error);
        return mapsync_exit_code(rc);
    }
    uint32_t *all = malloc(accounts * sizeof *all);
    for (uint32_t i = 0; i < accounts; i++) all[i] = i;
    long samples = 0, violations = 0, torn = 0, reads = 0, errors = 0;
    struct account a;
    do {
        int64_t sum = 0;
        rc = mapsync_lock_many(&m, all, accounts, 30000, NULL);
        if (rc != 0) {
            fprintf(stderr, "ledger_check: %s\n", m.error);
            errors++;
            break;
        }
        for (uint32_t i = 0; i < accounts; i++) {
            if (mapsync_read(&m, i, &a, 10000) != 0) errors++;
            sum += a.balance;
        }
        mapsync_unlock_many(&m, all, accounts);
        samples++;
        if (sum != total) violations++;
        for (int r = 0; r < 200; r++) {
            reads++;
            if (mapsync_read(&m, (uint32_t)r % accounts, &a, 10000) != 0) errors++;
            else if (a.check != ~a.balance) torn++;
        }
    } while (access(argv[4], F_OK) != 0);
    printf("samples=%ld violations=%ld torn=%ld reads=%ld errors=%ld\n", samples, violations, torn, reads, errors);
    mapsync_close(&m);
    free(all);
    return 0;
}
