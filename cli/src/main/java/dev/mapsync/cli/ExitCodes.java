package dev.mapsync.cli;

import dev.mapsync.CorruptMapException;
import dev.mapsync.IncompatibleMapException;
import dev.mapsync.IndexOutOfRangeException;
import dev.mapsync.InvalidValueException;
import dev.mapsync.MapAccessDeniedException;
import dev.mapsync.MapNotFoundException;

/** The exit codes of every mapsync command, documented in {@code --help} and the README. */
final class ExitCodes {
    private ExitCodes() {}

    static final int OK = 0;
    /** Bad arguments: an unknown option, a malformed value, an index out of range. */
    static final int USAGE = 1;
    /** No such map, or (for hash maps) no such key. */
    static final int NOT_FOUND = 2;
    /** The map differs from what was asked, or is not a complete map. */
    static final int INCOMPATIBLE = 3;
    static final int PERMISSION = 4;
    static final int OTHER = 5;
    /**
     * A check came out false: {@code cas} found another value, the demo found a wrong count, the chaos soak found a
     * broken invariant (or a crash, or a hang), a lock owner lives, {@code doctor} found something a backend needs
     * missing.
     */
    static final int CHECK_FAILED = 6;
    /** A wait ran out of time, as with timeout(1): a lock, room in a queue, records to take, a barrier. */
    static final int TIMED_OUT = 124;

    static final String HELP = """
            Exit codes: 0 ok, 1 usage (bad arguments or values), 2 map (or key) not
            found, 3 incompatible or corrupt map, 4 permission denied, 5 other failure,
            6 a check failed (cas saw another value, the demo counted wrong, the chaos
            soak found a broken invariant, a crash or a hang, unlock --force found
            the owner alive, doctor found something a backend needs missing), 124 a
            wait timed out (a lock, wait --until, room in a queue, records to take,
            the other parties of a barrier).""";

    /** The code of a failure: the documented exceptions by their type; a map's memory that faulted is corrupt. */
    static int of(Throwable e) {
        if (Failure.isMemoryFault(e)) return INCOMPATIBLE;
        if (e instanceof Error || Failure.isInternal(e)) return OTHER;
        if (e instanceof MapNotFoundException || e instanceof KeyNotFoundException) return NOT_FOUND;
        if (e instanceof picocli.CommandLine.ParameterException) return USAGE;
        if (e instanceof dev.mapsync.WaitTimeoutException) return TIMED_OUT;
        if (e instanceof IncompatibleMapException || e instanceof CorruptMapException) return INCOMPATIBLE;
        if (e instanceof MapAccessDeniedException) return PERMISSION;
        if (e instanceof InvalidValueException || e instanceof IndexOutOfRangeException
                || e instanceof IllegalArgumentException) return USAGE;
        return OTHER;
    }
}
