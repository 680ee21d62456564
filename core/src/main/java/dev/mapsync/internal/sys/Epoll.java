package dev.mapsync.internal.sys;


import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicBoolean;

import static java.lang.foreign.ValueLayout.ADDRESS;
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

    private static final MethodHandle CREATE = Native.errnoCall("epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle CTL = Native.errnoCall("epoll_ctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle WAIT = Native.errnoCall("epoll_wait",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));

    private final int epfd;
    private final MemorySegment events;
    private final Cleaner.Cleanable cleanable;

    private Epoll(int epfd) {
        this.epfd = epfd;
        Arena arena = Arena.ofShared();
        this.events = arena.allocate(Arch.EPOLL_EVENT_SIZE, 8);
        this.cleanable = Cleanup.CLEANER.register(this, new Resources(epfd, arena));
    }

    /** The descriptor and the event buffer, released once; it must not reach the instance. */
    private static final class Resources implements Runnable {
        private final int epfd;
        private final Arena arena;
        private final AtomicBoolean closed = new AtomicBoolean();

        Resources(int epfd, Arena arena) {
            this.epfd = epfd;
            this.arena = arena;
        }

        @Override
        public void run() {
            if (!closed.compareAndSet(false, true)) return;
            try {
                LibC.close(epfd);
            } finally {
                arena.close();
            }
        }
    }

    /** An epoll instance watching {@code fd} for {@code EPOLLIN}. */
    public static Epoll readable(int fd) {
        Epoll e;
        try {
            int epfd = (int) CREATE.invokeExact(Native.capture(), EPOLL_CLOEXEC);
            if (epfd < 0) throw new SyscallException("epoll_create1", Native.errno());
            e = new Epoll(epfd);
        } catch (SyscallException x) {
            throw x;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        try {
            e.events.fill((byte) 0);
            e.events.set(JAVA_INT, 0, EPOLLIN); // events @0; data (unused) follows
            int r = (int) CTL.invokeExact(Native.capture(), e.epfd, EPOLL_CTL_ADD, fd, e.events);
            if (r < 0) throw new SyscallException("epoll_ctl(EPOLL_CTL_ADD)", Native.errno());
            return e;
        } catch (SyscallException x) {
            e.close();
            throw x;
        } catch (Throwable t) {
            e.close();
            throw new AssertionError(t);
        }
    }

    /**
     * Waits until the descriptor is readable or {@code timeoutNanos} pass (rounded up to a millisecond).
     *
     * @return true if it is readable, false on timeout or when a signal interrupted the wait
     */
    public boolean await(long timeoutNanos) {
        int millis = (int) Math.min(Integer.MAX_VALUE, Math.max(0, (timeoutNanos + 999_999) / 1_000_000));
        try {
            int n = (int) WAIT.invokeExact(Native.capture(), epfd, events, 1, millis);
            if (n < 0) {
                if (Native.errno() == Errno.EINTR) return false;
                throw new SyscallException("epoll_wait", Native.errno());
            }
            return n > 0;
        } catch (SyscallException x) {
            throw x;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Closes the epoll instance. Idempotent. */
    @Override
    public void close() {
        cleanable.clean();
    }
}
