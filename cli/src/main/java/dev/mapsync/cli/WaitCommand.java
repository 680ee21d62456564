package dev.mapsync.cli;

import dev.mapsync.MapLocation;
import dev.mapsync.ChangeCursor;
import dev.mapsync.LockTimeoutException;
import dev.mapsync.MapAccessDeniedException;
import dev.mapsync.MapSyncException;
import dev.mapsync.Schema;
import dev.mapsync.SharedArray;
import dev.mapsync.SharedHashMap;
import dev.mapsync.SharedMap;
import dev.mapsync.KeyChangeCursor;
import dev.mapsync.TornEntryException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

@Command(name = "wait", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Block until an entry has a value, then exit 0; exit 124 when the timeout passes first, as",
                "timeout(1) does. For records, name only the fields to wait for (the others match anything).",
                "On a hash map, until the key is present with that value."},
        footer = {"", "Examples:", "  mapsync wait jobs 3 --until 1 --timeout 30s", "  mapsync wait accounts 7 --until balance=0",
                "  mapsync wait sessions 4b1d9c --until state=2           # a hash map's key"})
final class WaitCommand extends MapCommand implements Callable<Integer> {
    @Parameters(index = "1", paramLabel = "KEY", description = "An array's index, or a hash map's key in the text form values have.")
    String entry;

    @Option(names = "--until", required = true, paramLabel = "VALUE", description = "The value (or field=value,...) to wait for.")
    String until;

    @Option(names = "--timeout", paramLabel = "T", converter = DurationConverter.class,
            description = "Give up after T (default: wait for ever).")
    Duration timeout;

    @Override
    boolean controlRegionNeeded() {
        return true;
    }

    @Override
    @SuppressWarnings("unchecked") // a map opened as it is has values (and keys) of Object
    public Integer call() {
        // reads behind a write that never ends give up at this command's own timeout, not the map's lock timeout
        MapLocation spec = within(existing(), timeout);
        SharedMap map;
        try {
            map = KeyedMaps.open(spec, false);
        } catch (MapAccessDeniedException e) {
            map = KeyedMaps.open(spec, true); // no subscription: it polls
        }
        try (SharedMap m = map) {
            if (m instanceof SharedHashMap<?, ?> h) {
                SharedHashMap<Object, Object> hash = (SharedHashMap<Object, Object>) h;
                Object key = key(hash, entry);
                Schema schema = hash.valueCodec().schema();
                ValueText.parse(schema, until, ValueText.zero(schema)); // a --until that is no value fails now, not never
                KeyChangeCursor<Object> cursor = hash.isReadOnly() ? null : hash.changes(key::equals);
                try (cursor) {
                    return await("key " + entry, () -> {
                        Object current = read(hash, key, entry);
                        return current != null && matches(schema, current);
                    }, cursor == null ? null : cursor::poll);
                }
            }
            SharedArray<Object> array = (SharedArray<Object>) m;
            int index = index(entry);
            Schema schema = array.codec().schema();
            ChangeCursor cursor = array.isReadOnly() ? null : array.changes(index, index);
            try (cursor) {
                return await("entry " + entry, () -> matches(schema, read(array, index)), cursor == null ? null : cursor::poll);
            }
        }
    }

    /** Checks, then waits for a change (or polls every 10 ms without {@code change}), until the deadline. */
    private int await(String what, BooleanSupplier matches, Consumer<Duration> change) {
        String mapName = ref().name() != null ? ref().name() : String.valueOf(ref().path().getFileName());
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        MapSyncException unreadable = null;
        while (true) {
            try {
                if (matches.getAsBoolean()) return ExitCodes.OK;
                unreadable = null;
            } catch (TornEntryException | LockTimeoutException e) {
                unreadable = e; // a lock owner may write the entry again: go on waiting
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                if (unreadable != null) {
                    err().println("mapsync: timed out after " + DurationText.of(timeout) + " waiting for " + what
                            + " of map '" + mapName + "': " + reason(unreadable));
                }
                return ExitCodes.TIMED_OUT;
            }
            Duration slice = Duration.ofNanos(Math.min(left, 1_000_000_000L));
            if (change != null && unreadable == null) change.accept(slice);
            else sleep(Math.min(slice.toMillis(), 10));
        }
    }

    /** Why the entry could not be read, without the "timed out" a lock timeout's message starts with. */
    private static String reason(MapSyncException e) {
        String m = e.getMessage();
        int colon = m.indexOf("': ");
        return e instanceof LockTimeoutException && colon >= 0 ? m.substring(colon + 3).replace(" all that time", "") : m;
    }

    /** True if {@code current} has the value (or the fields) {@code --until} names. */
    private boolean matches(Schema schema, Object current) {
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
