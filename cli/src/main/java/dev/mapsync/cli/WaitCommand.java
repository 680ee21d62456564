package dev.mapsync.cli;

import dev.mapsync.MapLocation;
import dev.mapsync.ChangeCursor;
import dev.mapsync.LockTimeoutException;
import dev.mapsync.MapAccessDeniedException;
import dev.mapsync.MapSpec;
import dev.mapsync.MapSyncException;
import dev.mapsync.Schema;
import dev.mapsync.SharedArray;
import dev.mapsync.TornEntryException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.concurrent.Callable;

@Command(name = "wait", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Block until an entry has a value, then exit 0; exit 124 when the timeout passes first, as",
                "timeout(1) does. For records, name only the fields to wait for (the others match anything)."},
        footer = {"", "Examples:", "  mapsync wait jobs 3 --until 1 --timeout 30s", "  mapsync wait accounts 7 --until balance=0"})
final class WaitCommand extends MapCommand implements Callable<Integer> {
    @Parameters(index = "1", paramLabel = "KEY")
    int key;

    @Option(names = "--until", required = true, paramLabel = "VALUE", description = "The value (or field=value,...) to wait for.")
    String until;

    @Option(names = "--timeout", paramLabel = "T", converter = DurationConverter.class,
            description = "Give up after T (default: wait for ever).")
    Duration timeout;

    @Override
    public Integer call() {
        // reads behind a write that never ends give up at this command's own timeout, not the map's lock timeout
        MapLocation spec = timeout == null ? existing() : existing().lockTimeout(timeout);
        SharedArray<Object> array;
        try {
            array = SharedArray.open(spec);
        } catch (MapAccessDeniedException e) {
            array = SharedArray.openReadOnly(spec);
        }
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        try (SharedArray<Object> a = array) {
            Schema schema = a.codec().schema();
            ChangeCursor cursor = a.isReadOnly() ? null : a.changes(key, key);
            try {
                MapSyncException unreadable = null;
                while (true) {
                    try {
                        if (matches(a, schema)) return ExitCodes.OK;
                        unreadable = null;
                    } catch (TornEntryException | LockTimeoutException e) {
                        unreadable = e; // a lock owner may write the entry again: go on waiting
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        if (unreadable != null) {
                            err().println("mapsync: timed out after " + DurationText.of(timeout) + " waiting for entry "
                                    + key + " of map '" + a.name() + "': " + reason(unreadable));
                        }
                        return ExitCodes.TIMED_OUT;
                    }
                    Duration slice = Duration.ofNanos(Math.min(left, 1_000_000_000L));
                    if (cursor != null && unreadable == null) cursor.poll(slice);
                    else sleep(Math.min(slice.toMillis(), 10));
                }
            } finally {
                if (cursor != null) cursor.close();
            }
        }
    }

    /** Why the entry could not be read, without the "timed out" a lock timeout's message starts with. */
    private static String reason(MapSyncException e) {
        String m = e.getMessage();
        int colon = m.indexOf("': ");
        return e instanceof LockTimeoutException && colon >= 0 ? m.substring(colon + 3).replace(" all that time", "") : m;
    }

    private boolean matches(SharedArray<Object> a, Schema schema) {
        Object current = read(a, key);
        Object wanted = ValueText.parse(schema, until, current);
        return ValueText.format(schema, wanted).equals(ValueText.format(schema, current));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(Math.max(1, millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
