package dev.mapsync.internal.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicBoolean;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * An epoll instance that waits for one descriptor to become readable: how a consumer of a kernel BPF ring buffer
 * sleeps until a BPF program commits a record ({@code ringbuf_map_poll_kern} reports {@code EPOLLIN} while the
 * producer position is ahead of the consumer position). Level-triggered, so a wait returns at once while records
 * are unread. One thread waits at a time. An instance never closed is closed once it is unreachable (a consumer
 * dropped with its handle), so that its descriptor does not outlive it.
 */
public final class Epoll implements AutoCloseable {
    private static final int EPOLL_CLOEXEC = 0x80000, EPOLL_CTL_ADD = 1;
    /** {@code EPOLLIN}: the descriptor has something to read. */
    public static final int EPOLLIN = 0x001;

    private final int epfd;
    private final Cleaner.Cleanable cleanable;

    private Epoll(int epfd) {
        this.epfd = epfd;
        this.cleanable = Cleanup.CLEANER.register(this, new Resources(epfd));
    }

    /** The descriptor and the event buffer, released once; it must not reach the instance. */
    private static final class Resources implements Runnable {
        private final int epfd;
        private final AtomicBoolean closed = new AtomicBoolean();

        Resources(int epfd) {
            this.epfd = epfd;
        }

        @Override
        public void run() {
            if (!closed.compareAndSet(false, true)) return;
            LibC.close(epfd);
        }
    }

    /** An epoll instance watching {@code fd} for {@code EPOLLIN}. */
    public static Epoll readable(int fd) {
        Epoll e = new Epoll((int) Native.check(Native.syscall(Arch.SYS_EPOLL_CREATE1, EPOLL_CLOEXEC, 0, 0),
                "epoll_create1"));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment event = arena.allocate(Arch.EPOLL_EVENT_SIZE, 8);
            event.set(JAVA_INT, 0, EPOLLIN); // events @0; data (unused) follows
            Native.check(Native.syscall(Arch.SYS_EPOLL_CTL, e.epfd, EPOLL_CTL_ADD, fd, event.address(), 0, 0),
                    "epoll_ctl(EPOLL_CTL_ADD)");
            return e;
        } catch (SyscallException x) {
            e.close();
            throw x;
        }
    }

    /**
     * Waits until the descriptor is readable or {@code timeoutNanos} pass (rounded up to a millisecond).
     *
     * @return true if it is readable, false on timeout or when a signal interrupted the wait
     */
    public boolean await(long timeoutNanos) {
        int millis = (int) Math.min(Integer.MAX_VALUE, Math.max(0, (timeoutNanos + 999_999) / 1_000_000));
        long n;
        // the buffer is the call's own: the kernel writes into it, so it must outlive the call even if another
        // thread closes this instance meanwhile
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment event = arena.allocate(Arch.EPOLL_EVENT_SIZE, 8);
            // epoll_pwait with no signal mask is epoll_wait, on every architecture (aarch64 has no epoll_wait)
            n = Native.syscall(Arch.SYS_EPOLL_PWAIT, epfd, event.address(), 1, millis, 0, 0);
        }
        if (n < 0) {
            if (Native.errno() == Errno.EINTR) return false;
            throw new SyscallException("epoll_wait", Native.errno());
        }
        return n > 0;
    }

    /** Closes the epoll instance. Idempotent. */
    @Override
    public void close() {
        cleanable.clean();
    }
}
