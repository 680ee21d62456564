package dev.mapsync.internal.sys;

/**
 * A failed system call inside the Linux bindings: the call (with its main argument), the errno, and optionally a
 * hint that says what the errno usually means for this call, and a log the kernel wrote (the BPF verifier's).
 * The public layer turns it into the {@link dev.mapsync.MapSyncException} that fits the situation.
 *
 * <p>Message: {@code call: ENAME (hint)}, or {@code call: ENAME (description)} without a hint, followed by the
 * log on the next lines when there is one, such as {@code bpf(BPF_MAP_CREATE): EPERM (needs CAP_BPF or root)}.
 */
public final class SyscallException extends RuntimeException {
    private final String call;
    private final int errno;
    private final String hint;
    private final String log;

    public SyscallException(String call, int errno) {
        this(call, errno, "", "");
    }

    /** @param hint what this errno usually means for this call, or the empty string */
    public SyscallException(String call, int errno, String hint) {
        this(call, errno, hint, "");
    }

    /** @param log what the kernel wrote about the failure (such as the verifier log), or the empty string */
    public SyscallException(String call, int errno, String hint, String log) {
        super(message(call, errno, hint, log));
        this.call = call;
        this.errno = errno;
        this.hint = hint;
        this.log = log;
    }

    private static String message(String call, int errno, String hint, String log) {
        String why = !hint.isEmpty() ? hint : Errno.text(errno);
        return call + ": " + Errno.name(errno) + (why.isEmpty() ? "" : " (" + why + ")")
                + (log.isBlank() ? "" : "\n" + log.strip());
    }

    /** The call, such as {@code open(/dev/shm/mapsync/a)}. */
    public String call() {
        return call;
    }

    public int errno() {
        return errno;
    }

    public String errnoName() {
        return Errno.name(errno);
    }

    /** What this errno usually means for this call, or the empty string. */
    public String hint() {
        return hint;
    }

    /** The kernel's own account of the failure (such as the BPF verifier log), or the empty string. */
    public String log() {
        return log;
    }
}
