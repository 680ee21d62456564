package dev.mapsync.cli;

import dev.mapsync.SharedCounters;
import dev.mapsync.SharedMap;
import dev.mapsync.MapLocation;
import dev.mapsync.CorruptMapException;
import dev.mapsync.InvalidValueException;
import dev.mapsync.Schema;
import dev.mapsync.SharedArray;
import dev.mapsync.SharedHashMap;
import picocli.CommandLine;
import picocli.CommandLine.ParentCommand;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.function.Consumer;

/** What the commands that work on one map share: the map argument and how to open it. */
abstract class MapCommand implements MapArgument {
    @ParentCommand
    Main root;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @picocli.CommandLine.Parameters(index = "0", paramLabel = "MAP",
            description = "The map: NAME (default folder, shm), bpf:NAME (a kernel map), a path containing '/', or the path of a kernel map any program pinned in a bpf file system.")
    String map;

    private MapRef ref;

    /** The map argument, parsed once: parsing a path asks the file system whether it is a bpf one. */
    MapRef ref() {
        if (ref == null) ref = MapRef.parse(map);
        return ref;
    }

    @Override
    public String mapArgument() {
        return map;
    }

    /** Most commands work on arrays and hash maps alike; those that take one kind only (or any map) say so. */
    @Override
    public String worksOn() {
        return "array and hash maps";
    }

    /**
     * The existing map as it is. A kernel map another program pinned is adopted privately ({@link ForeignPins}); a
     * command that needs the control region other processes share refuses it.
     *
     * @throws dev.mapsync.IncompatibleMapException if the command needs a shared control region and the map is a
     *                                              foreign pin
     */
    MapLocation existing() {
        return ref().existing(root.dir, schemaOptions(), controlRegionNeeded() ? spec.name() : null);
    }

    /**
     * {@code at} for a command with a timeout of its own ({@code timeout}; null: none): opening waits for an unfinished
     * map's creator, and reads wait for a write in progress, no longer than that, nor longer than the defaults. A
     * creator gets {@value #LEAST_OPEN_MILLIS} ms at least, so that a zero timeout does not call a map being made
     * corrupt.
     */
    static MapLocation within(MapLocation at, Duration timeout) {
        if (timeout == null) return at;
        Duration open = least(timeout, at.openTimeout());
        if (open.toMillis() < LEAST_OPEN_MILLIS) open = Duration.ofMillis(LEAST_OPEN_MILLIS);
        return at.openTimeout(open).lockTimeout(least(timeout, at.lockTimeout()));
    }

    private static final long LEAST_OPEN_MILLIS = 100;

    private static Duration least(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** The schemas given for a pinned kernel map without BTF; none unless the command takes them. */
    SchemaOptions schemaOptions() {
        return SchemaOptions.NONE;
    }

    /**
     * True for the commands that need the control region every process of the map shares (locks, the change log):
     * a kernel map pinned by another program has none.
     */
    boolean controlRegionNeeded() {
        return false;
    }

    SharedArray<Object> open(boolean readOnly) {
        return readOnly ? SharedArray.openReadOnly(existing()) : SharedArray.open(existing());
    }

    /**
     * Opens the map as the handle of its kind and gives it to {@code onArray} or {@code onHash}, for the commands that
     * take both ({@link KeyedMaps#open}); the handle is closed after.
     */
    void withKeyed(boolean readOnly, Consumer<SharedArray<Object>> onArray, Consumer<SharedHashMap<Object, Object>> onHash) {
        try (SharedMap map = KeyedMaps.open(existing(), readOnly, false)) {
            accept(map, onArray, onHash, null);
        }
    }

    /** {@link #withKeyed(boolean, Consumer, Consumer)} for the commands that take counter maps too. */
    void withKeyed(boolean readOnly, Consumer<SharedArray<Object>> onArray, Consumer<SharedHashMap<Object, Object>> onHash,
                   Consumer<SharedCounters> onCounters) {
        try (SharedMap map = KeyedMaps.open(existing(), readOnly, true)) {
            accept(map, onArray, onHash, onCounters);
        }
    }

    @SuppressWarnings("unchecked") // a map opened as it is has values (and keys) of Object
    private static void accept(SharedMap map, Consumer<SharedArray<Object>> onArray,
                               Consumer<SharedHashMap<Object, Object>> onHash, Consumer<SharedCounters> onCounters) {
        switch (map) {
            case SharedHashMap<?, ?> hash -> onHash.accept((SharedHashMap<Object, Object>) hash);
            case SharedCounters counters -> onCounters.accept(counters);
            default -> onArray.accept((SharedArray<Object>) map);
        }
    }

    /** An array index as the command line gives it. */
    int index(String text) {
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "Invalid value for positional parameter at index 1 (INDEX): '" + text + "' is not an int");
        }
    }

    /** A hash map key given in the text form of values; a struct key names every field it needs (others are 0). */
    static Object key(SharedHashMap<Object, Object> map, String text) {
        Schema schema = map.keyCodec().schema();
        try {
            Object key = ValueText.parse(schema, text, ValueText.zero(schema));
            // encoded once here, as the map will: a key that does not fit is refused before any is used
            map.keyCodec().write(java.lang.foreign.MemorySegment.ofArray(new byte[schema.size()]), 0, key);
            return key;
        } catch (InvalidValueException e) {
            // as the map says of a key that does not fit: which of the two arguments is wrong
            throw new InvalidValueException("key of map '" + map.name() + "': " + e.getMessage(), e);
        }
    }

    /**
     * A value the map holds whose bytes are not a value of its schema (a string that is not UTF-8, written by a program
     * that does not check): the map's data is corrupt, not the command's arguments.
     */
    static CorruptMapException notAValue(String map, String entry, InvalidValueException e) {
        return new CorruptMapException("map '" + map + "' is corrupt: " + entry + " is not a value of its schema ("
                + e.getMessage() + ")", e);
    }

    /** {@link #notAValue} for the value of the key {@code keyText} (as the command line gave it) of {@code map}. */
    static CorruptMapException notAValueOfKey(String map, String keyText, InvalidValueException e) {
        return notAValue(map, "the value of key " + keyText, e);
    }

    /** The value of {@code key} in {@code hash} (null if absent), read; {@code keyText} names the key in messages. */
    static Object read(SharedHashMap<Object, Object> hash, Object key, String keyText) {
        try {
            return hash.get(key);
        } catch (InvalidValueException e) {
            throw notAValueOfKey(hash.name(), keyText, e);
        }
    }

    /** Entry {@code index} of {@code array}, read. */
    static Object read(SharedArray<Object> array, int index) {
        try {
            return array.get(index);
        } catch (InvalidValueException e) {
            throw notAValue(array.name(), "entry " + index, e);
        }
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
