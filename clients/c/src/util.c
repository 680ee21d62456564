/*
 * util.c: clocks, the futex, thread and process identity, and the error sentence.
 */
#include "internal.h"

#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <time.h>

int mapsync__fail(struct mapsync_map *m, int err, const char *format, ...) {
    va_list args;
    va_start(args, format);
    vsnprintf(m->error, sizeof m->error, format, args);
    va_end(args);
    return -err;
}

uint64_t mapsync__page_align(uint64_t n) {
    uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
    return (n + page - 1) / page * page;
}

uint64_t mapsync__now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

uint64_t mapsync__now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

void mapsync__sleep_ns(long ns) {
    struct timespec t = {ns / 1000000000L, ns % 1000000000L};
    nanosleep(&t, NULL);
}

void mapsync__pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* The caller's kernel thread id, cached per thread (a system call costs more than an uncontended lock). */
static __thread uint64_t tid __attribute__((tls_model("initial-exec")));

uint64_t mapsync__tid(void) {
    if (tid == 0) tid = (uint64_t)syscall(SYS_gettid);
    return tid;
}

void mapsync__futex_wait(uint32_t *word, uint32_t expected, uint64_t timeout_ns) {
    struct timespec t = {(time_t)(timeout_ns / 1000000000u), (long)(timeout_ns % 1000000000u)};
    /* not FUTEX_PRIVATE_FLAG: the word is shared with other processes; EAGAIN, EINTR and ETIMEDOUT all mean "look again" */
    syscall(SYS_futex, word, FUTEX_WAIT, expected, &t, NULL, 0);
}

void mapsync__futex_wake(uint32_t *word, int n) {
    syscall(SYS_futex, word, FUTEX_WAKE, n, NULL, NULL, 0);
}

uint64_t mapsync__start_time(uint32_t pid) {
    char file[64], text[1024];
    snprintf(file, sizeof file, "/proc/%u/stat", (unsigned)pid);
    FILE *f = fopen(file, "re");
    if (f == NULL) return 0;
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    /* the command (field 2) is in parentheses and may hold spaces: count the fields after the last ')' */
    char *p = strrchr(text, ')');
    if (p == NULL) return 0;
    for (int field = 2; field < 22; field++) {
        p = strchr(p + 1, ' ');
        if (p == NULL) return 0;
    }
    return strtoull(p + 1, NULL, 10);
}

static struct mapsync__proc self;
static pthread_once_t at_fork_once = PTHREAD_ONCE_INIT;

/* In a forked child: its pid, start time and thread id are its own, to be read again. */
static void forget_self(void) {
    __atomic_store_n(&self.pid, 0, __ATOMIC_RELEASE);
    tid = 0;
}

static void register_at_fork(void) {
    pthread_atfork(NULL, NULL, forget_self);
}

/* Read once per process (and again in a forked child): getpid is a system call, which the lock path cannot afford. */
const struct mapsync__proc *mapsync__self(void) {
    if (__atomic_load_n(&self.pid, __ATOMIC_ACQUIRE) == 0) {
        pthread_once(&at_fork_once, register_at_fork);
        uint32_t pid = (uint32_t)getpid();
        struct stat st;
        self.start_time = mapsync__start_time(pid);
        self.pid_ns = stat("/proc/self/ns/pid", &st) == 0 ? (uint64_t)st.st_ino : 0;
        __atomic_store_n(&self.pid, pid, __ATOMIC_RELEASE);
    }
    return &self;
}

int mapsync_exit_code(int rc) {
    switch (-rc) {
    case 0: return 0;
    case EINVAL: case ERANGE: return 1;
    case ENOENT: return 2;
    case EBADMSG: case EPROTO: case EMEDIUMTYPE: return 3;
    case EACCES: case EPERM: case EBADF: case EROFS: return 4; /* EROFS: a write on a read replica */
    case ETIMEDOUT: return 124;
    default: return 5;
    }
}
