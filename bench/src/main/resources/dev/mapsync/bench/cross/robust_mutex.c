/*
 * robust_mutex: the lock C programs share between processes, measured as mapsync's entry lock is: glibc's
 * pthread_mutex_t with PTHREAD_PROCESS_SHARED and PTHREAD_MUTEX_ROBUST, in a MAP_SHARED mapping.
 *
 *   robust_mutex uncontended N   one process, N lock+unlock pairs on a mutex no one else takes, five rounds:
 *                                prints "ns_per_op X" for the median round
 *   robust_mutex contended P N   P processes (fork) each take the mutex N times and increment a shared counter
 *                                under it (a plain read and write, correct only under the lock); each first warms
 *                                up on a mutex of its own, then all start together; prints
 *                                "ops_per_sec X exact 0|1 fairness F", fairness being the acquisitions of the
 *                                slowest process while all ran, per the fastest's (1 = even turns)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_PROCS 16
#define WARMUP 200000

struct shared {
    pthread_mutex_t lock;
    pthread_mutex_t own[MAX_PROCS];
    uint64_t counter;
    _Alignas(64) atomic_int ready;
    _Alignas(64) atomic_llong go;
    _Alignas(64) atomic_int ended;
    _Alignas(64) atomic_llong progress[MAX_PROCS][8];   /* one cache line each */
    long long seen_at_first_end[MAX_PROCS];
    long long end_ns[MAX_PROCS];
};

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void init_mutex(pthread_mutex_t *m) {
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
    pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    int rc = pthread_mutex_init(m, &a);
    pthread_mutexattr_destroy(&a);
    if (rc != 0) {
        fprintf(stderr, "robust_mutex: pthread_mutex_init: %s\n", strerror(rc));
        exit(1);
    }
}

/* Takes the mutex; an owner that died leaves it EOWNERDEAD, which the benchmark never sees but handles as C must. */
static void take(pthread_mutex_t *m) {
    int rc = pthread_mutex_lock(m);
    if (rc == EOWNERDEAD) pthread_mutex_consistent(m);
    else if (rc != 0) {
        fprintf(stderr, "robust_mutex: pthread_mutex_lock: %s\n", strerror(rc));
        exit(1);
    }
}

static struct shared *map_shared(void) {
    struct shared *s = mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (s == MAP_FAILED) {
        perror("robust_mutex: mmap");
        exit(1);
    }
    memset(s, 0, sizeof *s);
    return s;
}

static int cmp_ll(const void *a, const void *b) {
    long long x = *(const long long *) a, y = *(const long long *) b;
    return (x > y) - (x < y);
}

static int uncontended(long long n) {
    struct shared *s = map_shared();
    init_mutex(&s->lock);
    for (long long i = 0; i < WARMUP; i++) {
        take(&s->lock);
        pthread_mutex_unlock(&s->lock);
    }
    long long rounds[5];
    for (int r = 0; r < 5; r++) {
        long long start = now_ns();
        for (long long i = 0; i < n; i++) {
            take(&s->lock);
            s->counter++;
            pthread_mutex_unlock(&s->lock);
        }
        rounds[r] = now_ns() - start;
    }
    qsort(rounds, 5, sizeof rounds[0], cmp_ll);
    printf("ns_per_op %.3f\n", (double) rounds[2] / n);
    return 0;
}

static void worker(struct shared *s, int me, int procs, long long n) {
    for (long long i = 0; i < WARMUP; i++) {
        take(&s->own[me]);
        s->counter += 0;
        pthread_mutex_unlock(&s->own[me]);
    }
    atomic_fetch_add(&s->ready, 1);
    while (atomic_load_explicit(&s->go, memory_order_acquire) == 0) __builtin_ia32_pause();
    for (long long i = 1; i <= n; i++) {
        take(&s->lock);
        s->counter = s->counter + 1;
        pthread_mutex_unlock(&s->lock);
        atomic_store_explicit(&s->progress[me][0], i, memory_order_release);
    }
    s->end_ns[me] = now_ns();
    if (atomic_fetch_add(&s->ended, 1) == 0) {
        for (int p = 0; p < procs; p++) s->seen_at_first_end[p] = atomic_load(&s->progress[p][0]);
    }
}

static int contended(int procs, long long n) {
    struct shared *s = map_shared();
    init_mutex(&s->lock);
    for (int p = 0; p < procs; p++) init_mutex(&s->own[p]);
    pid_t pids[MAX_PROCS], parent = getpid();
    for (int p = 0; p < procs; p++) {
        pids[p] = fork();
        if (pids[p] < 0) {
            perror("robust_mutex: fork");
            return 1;
        }
        if (pids[p] == 0) {
            /* a worker whose parent is gone would spin at the start line for ever */
            if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(1);
            worker(s, p, procs, n);
            _exit(0);
        }
    }
    while (atomic_load(&s->ready) < procs) {
        /* one that ended before it was ready leaves the others waiting for a go that would never come */
        int status;
        pid_t ended = waitpid(-1, &status, WNOHANG);
        if (ended > 0) {
            for (int p = 0; p < procs; p++) if (pids[p] != ended) kill(pids[p], SIGKILL);
            fprintf(stderr, "robust_mutex: a worker process ended before it was ready\n");
            return 1;
        }
        usleep(100);
    }
    long long start = now_ns();
    atomic_store_explicit(&s->go, start, memory_order_release);
    int failed = 0;
    for (int p = 0; p < procs; p++) {
        int status;
        if (waitpid(pids[p], &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) failed = 1;
    }
    if (failed) {
        fprintf(stderr, "robust_mutex: a worker process failed\n");
        return 1;
    }
    long long end = 0, least = n, most = 0;
    for (int p = 0; p < procs; p++) {
        if (s->end_ns[p] > end) end = s->end_ns[p];
        if (s->seen_at_first_end[p] < least) least = s->seen_at_first_end[p];
        if (s->seen_at_first_end[p] > most) most = s->seen_at_first_end[p];
    }
    double seconds = (end - start) / 1e9;
    printf("ops_per_sec %.0f exact %d fairness %.4f\n", procs * n / seconds, s->counter == (uint64_t) procs * n,
           most == 0 ? 0.0 : (double) least / most);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "uncontended") == 0) return uncontended(atoll(argv[2]));
    if (argc == 4 && strcmp(argv[1], "contended") == 0) {
        int procs = atoi(argv[2]);
        if (procs < 1 || procs > MAX_PROCS) {
            fprintf(stderr, "robust_mutex: 1 to %d processes, not %s\n", MAX_PROCS, argv[2]);
            return 2;
        }
        return contended(procs, atoll(argv[3]));
    }
    fprintf(stderr, "usage: robust_mutex uncontended N | robust_mutex contended PROCS N\n");
    return 2;
}
