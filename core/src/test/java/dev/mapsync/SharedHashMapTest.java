package dev.mapsync;

import dev.mapsync.testkit.Machine;
import dev.mapsync.testkit.MapDir;
import dev.mapsync.testkit.PaddedPair;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hash map API, on every backend this machine can run. */
class SharedHashMapTest {
    /** A record key: {@code struct { int32_t shard; char name[12]; }}. */
    record Key(int shard, @Chars(12) String name) {}

    /** A record value: {@code struct { int64_t hits; int64_t bytes; char owner[8]; }}. */
    record Stat(long hits, long bytes, @Chars(8) String owner) {}

    /** {@code struct { int32_t shard; int64_t id; }}: 4 bytes of padding after shard. */
    record PaddedKey(int shard, long id) {}

    private static final int PID = (int) ProcessHandle.current().pid();
    @RegisterExtension
    final MapDir maps = new MapDir("h");
    private Path dir;
    private String name;

    @BeforeEach
    void setUp() {
        dir = maps.dir();
        name = maps.name();
    }

    private <K, V> HashSpec<K, V> spec(Backend b, Codec<K> key, Codec<V> value, int capacity) {
        Machine.require(b);
        return HashSpec.of(name, key, value, capacity).dir(dir).backend(b);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void stringKeysPutGetReplaceRemove(Backend b) {
        try (SharedHashMap<String, Long> map = SharedHashMap.create(spec(b, Codec.chars(16), Codec.i64(), 100));
             SharedHashMap<String, Long> other = SharedHashMap.open(spec(b, Codec.chars(16), Codec.i64(), 100))) {
            assertNull(map.put("ada", 1L));
            assertEquals(1L, other.get("ada"));
            assertEquals(1L, map.put("ada", 2L));
            assertEquals(2L, other.get("ada"));
            assertNull(map.get("bob"));
            assertFalse(map.containsKey("bob"));
            assertTrue(map.containsKey("ada"));
            assertEquals(2L, map.putIfAbsent("ada", 9L));
            assertNull(map.putIfAbsent("bob", 3L));
            assertNull(map.replace("carl", 4L));
            assertFalse(map.containsKey("carl"));
            assertEquals(3L, map.replace("bob", 5L));
            assertFalse(map.replace("bob", 4L, 6L));
            assertTrue(map.replace("bob", 5L, 6L));
            assertEquals(6L, other.get("bob"));
            assertFalse(map.remove("bob", 7L));
            assertTrue(map.remove("bob", 6L));
            assertNull(map.remove("bob"));
            assertFalse(map.delete("bob"));
            map.set("carl", 7L);
            assertTrue(map.delete("carl"));
            assertNull(other.get("carl"));
            assertEquals(2L, map.remove("ada"));
            assertEquals(0, map.size());
            assertTrue(other.isEmpty());
            assertEquals("", map.verifyTable());
        }
    }

    /** A value whose bytes a peer made no value of the codec: reads refuse it, delete and set need not read it. */
    @Test
    void aValueThatIsNotAValueIsDeletedOrOverwrittenUnread() throws IOException {
        HashSpec<Integer, String> spec = spec(Backend.SHM, Codec.i32(), Codec.chars(8), 16);
        try (SharedHashMap<Integer, String> map = SharedHashMap.create(spec)) {
            for (int key : new int[]{1, 2}) {
                map.set(key, "ZZZZZZZZ");
                byte[] bytes = Files.readAllBytes(dir.resolve(name));
                int at = new String(bytes, StandardCharsets.ISO_8859_1).indexOf("ZZZZZZZZ");
                try (FileChannel ch = FileChannel.open(dir.resolve(name), StandardOpenOption.WRITE)) {
                    ch.write(ByteBuffer.wrap(new byte[]{(byte) 0xff, (byte) 0xfe}), at);
                }
            }
            for (int key : new int[]{1, 2}) {
                InvalidValueException e = assertThrows(InvalidValueException.class, () -> map.remove(key));
                assertEquals("char[8] field holds bytes that are not UTF-8", e.getMessage());
            }
            assertEquals(2, map.size(), "a remove that could not read the value removed nothing");
            assertTrue(map.delete(1));
            assertNull(map.get(1));
            map.set(2, "ok");
            assertEquals("ok", map.get(2));
            assertEquals(1, map.size());
            assertEquals("", map.verifyTable());
        }
    }

    /** An iteration that meets a value that is no value of the codec throws once for it, then goes on after it. */
    @Test
    void anIterationGoesOnPastAValueThatIsNotAValue() throws IOException {
        HashSpec<Integer, String> spec = spec(Backend.SHM, Codec.i32(), Codec.chars(8), 16);
        try (SharedHashMap<Integer, String> map = SharedHashMap.create(spec)) {
            for (int key = 0; key < 3; key++) map.set(key, "value " + key);
            byte[] bytes = Files.readAllBytes(dir.resolve(name));
            int at = new String(bytes, StandardCharsets.ISO_8859_1).indexOf("value 1");
            try (FileChannel ch = FileChannel.open(dir.resolve(name), StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(new byte[]{(byte) 0xff, (byte) 0xfe}), at);
            }
            Map<Integer, String> read = new TreeMap<>();
            List<String> failures = new ArrayList<>();
            Iterator<Map.Entry<Integer, String>> it = map.iterator();
            while (true) {
                try {
                    if (!it.hasNext()) break;
                    Map.Entry<Integer, String> e = it.next();
                    read.put(e.getKey(), e.getValue());
                } catch (InvalidValueException e) {
                    failures.add(e.getMessage());
                }
            }
            assertEquals(Map.of(0, "value 0", 2, "value 2"), read);
            assertEquals(List.of("char[8] field holds bytes that are not UTF-8"), failures);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void recordKeysAndValuesAndFieldAtomics(Backend b) {
        try (SharedHashMap<Key, Stat> map = SharedHashMap.create(spec(b, Codec.record(Key.class), Codec.record(Stat.class), 64))) {
            Key k = new Key(3, "index.html");
            assertEquals(0, map.getAndAdd(k, "hits", 1));
            assertEquals(new Stat(1, 0, ""), map.get(k));
            assertEquals(1, map.getAndAdd(k, "hits", 41));
            assertEquals(0, map.getAndAdd(k, "bytes", 1500));
            assertEquals(new Stat(42, 1500, ""), map.get(k));
            assertNull(map.get(new Key(4, "index.html")), "the shard is part of the key");
            Stat computed = map.compute(k, (key, v) -> new Stat(v.hits() * 2, v.bytes(), "web1"));
            assertEquals(new Stat(84, 1500, "web1"), computed);
            assertEquals(computed, map.get(k));
            assertNull(map.compute(k, (key, v) -> null));
            assertFalse(map.containsKey(k));
            assertNull(map.compute(k, (key, v) -> null), "removing an absent key changes nothing");
            assertEquals(0, map.size());
            IllegalArgumentException noField = assertThrows(IllegalArgumentException.class, () -> map.getAndAdd(k, "visits", 1));
            assertEquals("map '" + name + "' has no field 'visits' (its values are hits:i64,bytes:i64,owner:char[8])",
                    noField.getMessage());
            IllegalArgumentException notInteger = assertThrows(IllegalArgumentException.class, () -> map.getAndAdd(k, "owner", 1));
            assertEquals("field 'owner' of map '" + name + "' is char[8], not an integer", notInteger.getMessage());
        }
    }

    /**
     * Struct keys and values are compared by their bytes, so their padding must be zero however the thread's scratch
     * bytes were used before: here by a map of wide strings, which leaves different letters in each of them.
     */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void structPaddingIsZeroWhateverTheThreadEncodedBefore(Backend b) {
        HashSpec<PaddedKey, PaddedPair> spec = spec(b, Codec.record(PaddedKey.class), Codec.record(PaddedPair.class), 64);
        HashSpec<String, String> wideSpec = HashSpec.of(maps.name("w"), Codec.chars(32), Codec.chars(32), 8).dir(dir).backend(b);
        try (SharedHashMap<PaddedKey, PaddedPair> map = SharedHashMap.create(spec);
             SharedHashMap<String, String> wide = SharedHashMap.create(wideSpec)) {
            PaddedKey k = new PaddedKey(1, 2);
            PaddedPair v = new PaddedPair(0, 2);
            scribble(wide, 'p');
            assertNull(map.put(k, v));
            scribble(wide, 'q');
            assertEquals(v, map.get(k));
            assertTrue(map.replace(k, v, new PaddedPair(0, 3)));
            scribble(wide, 'r');
            assertTrue(map.remove(k, new PaddedPair(0, 3)));
            assertEquals(0, map.size());
            scribble(wide, 's');
            assertNull(map.putIfAbsent(k, v));
            if (b == Backend.SHM) {
                String file = new String(java.nio.file.Files.readAllBytes(dir.resolve(name)),
                        java.nio.charset.StandardCharsets.ISO_8859_1);
                for (char c = 'p'; c <= 's'; c++) {
                    assertFalse(file.contains(String.valueOf(c).repeat(4)), "the map holds bytes of another map: " + c);
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A codec of one's own that writes only the fields still gets zero padding: the bytes it writes over are zeroed. */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void aCodecOfOnesOwnThatSkipsThePaddingStillComparesByItsFields(Backend b) {
        HashSpec<Long, PaddedPair> spec = spec(b, Codec.i64(), PaddedPair.FIELDS_ONLY, 64);
        HashSpec<String, String> wideSpec = HashSpec.of(maps.name("w"), Codec.chars(32), Codec.chars(32), 8).dir(dir).backend(b);
        try (SharedHashMap<Long, PaddedPair> map = SharedHashMap.create(spec);
             SharedHashMap<String, String> wide = SharedHashMap.create(wideSpec)) {
            PaddedPair v = new PaddedPair(0, 2);
            scribble(wide, 'p');
            assertNull(map.put(7L, v));
            scribble(wide, 'r');
            assertTrue(map.replace(7L, v, new PaddedPair(1, 2)));
            scribble(wide, 't');
            assertTrue(map.remove(7L, new PaddedPair(1, 2)));
            assertEquals(0, map.size());
        }
    }

    /** Leaves {@code letter} in this thread's key and value scratch, and the next letter in its second value's. */
    private static void scribble(SharedHashMap<String, String> wide, char letter) {
        String key = String.valueOf(letter).repeat(32), value = String.valueOf((char) (letter + 1)).repeat(32);
        wide.put(key, key);
        wide.replace(key, key, value);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void scalarAtomicsWrapAtTheirWidth(Backend b) {
        try (SharedHashMap<Long, Integer> map = SharedHashMap.create(spec(b, Codec.i64(), Codec.u8(), 8))) {
            assertEquals(0, map.getAndAdd(7L, 250));
            assertEquals(250, map.getAndAdd(7L, 10));
            assertEquals(4, map.get(7L), "u8 wraps at 256");
            assertEquals(4, map.getAndAdd(7L, -5));
            assertEquals(255, map.get(7L));
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aFullMapRefusesNewKeysButTakesUpdates(Backend b) {
        try (SharedHashMap<Integer, Long> map = SharedHashMap.create(spec(b, Codec.i32(), Codec.i64(), 50))) {
            for (int i = 0; i < 50; i++) map.put(i, (long) i);
            MapFullException full = assertThrows(MapFullException.class, () -> map.put(50, 50L));
            String expected = b == Backend.SHM
                    ? "map '" + name + "' is full: it holds 50 entries, its capacity is 50; remove keys or create the map with a larger capacity"
                    : "map '" + name + "' is full: its kernel hash map holds its max_entries (50) and refused the new key (E2BIG); remove keys, or create it larger (or as an LRU map, which evicts)";
            assertEquals(expected, full.getMessage());
            assertThrows(MapFullException.class, () -> map.getAndAdd(51, 1));
            assertThrows(MapFullException.class, () -> map.compute(52, (k, v) -> 1L));
            assertEquals(7L, map.put(7, 70L), "a present key is updated");
            assertEquals(50, map.size());
            assertFalse(map.containsKey(50));
            map.remove(3);
            assertNull(map.put(50, 50L), "a removed key makes room");
            assertEquals(50, map.size());
            assertEquals("", map.verifyTable());
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void keysAndValuesThatDoNotFitAreRefusedBeforeAnythingChanges(Backend b) {
        try (SharedHashMap<String, String> map = SharedHashMap.create(spec(b, Codec.chars(8), Codec.chars(4), 8))) {
            InvalidValueException key = assertThrows(InvalidValueException.class, () -> map.put("123456789", "x"));
            assertEquals("key of map '" + name + "': string of 9 bytes does not fit in char[8] (\"123456789\")", key.getMessage());
            InvalidValueException value = assertThrows(InvalidValueException.class, () -> map.put("k", "12345"));
            assertEquals("value of map '" + name + "': string of 5 bytes does not fit in char[4] (\"12345\")", value.getMessage());
            assertThrows(InvalidValueException.class, () -> map.get("123456789"));
            InvalidValueException nullKey = assertThrows(InvalidValueException.class, () -> map.get(null));
            assertEquals("map '" + name + "': a key cannot be null", nullKey.getMessage());
            InvalidValueException nullValue = assertThrows(InvalidValueException.class, () -> map.put("k", null));
            assertEquals("map '" + name + "': a value cannot be null (remove the key instead)", nullValue.getMessage());
            assertEquals(0, map.size());
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    @SuppressWarnings({"unchecked", "rawtypes"})
    void aKeyOfTheWrongTypeIsRefused(Backend b) {
        SharedHashMap.create(spec(b, Codec.i64(), Codec.i64(), 8)).close();
        // a map adopted as it is takes keys of any Java type: the schema decides
        try (SharedHashMap<Object, Object> any = SharedHashMap.open(MapSpec.existing(name).dir(dir))) {
            InvalidValueException e = assertThrows(InvalidValueException.class, () -> any.put("seven", 7L));
            assertEquals("key of map '" + name + "': a i64 value cannot be a String (seven)", e.getMessage());
            any.put(7L, 8L);
            assertEquals(8L, any.get(7L));
        }
        // an unchecked cast smuggles a String past the compiler
        try (SharedHashMap<Long, Long> typed = SharedHashMap.open(spec(b, Codec.i64(), Codec.i64(), 8))) {
            SharedHashMap raw = typed;
            InvalidValueException e = assertThrows(InvalidValueException.class, () -> raw.get("seven"));
            assertEquals("key of map '" + name + "': a i64 key cannot be a String (seven)", e.getMessage());
        }
        // a spec with another key type does not open the map
        IncompatibleMapException wrongSpec = assertThrows(IncompatibleMapException.class,
                () -> SharedHashMap.open(spec(b, Codec.chars(8), Codec.i64(), 8)));
        assertEquals("map '" + name + "' does not match the spec: key schema: file has 'i64', spec asks 'char[8]'"
                + SharedArrayTest.TO_GO_ON,
                wrongSpec.getMessage());
        assertEquals("key schema", wrongSpec.field());
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void arraysAndHashMapsRefuseEachOther(Backend b) {
        SharedHashMap.create(spec(b, Codec.i64(), Codec.i64(), 8)).close();
        IncompatibleMapException asArray = assertThrows(IncompatibleMapException.class,
                () -> SharedArray.open(MapSpec.existing(name).dir(dir).backend(b)));
        assertEquals("map '" + name + "' is a hash map, not an array map; open it with SharedHashMap", asArray.getMessage());
        assertThrows(IncompatibleMapException.class, () -> SharedArray.open(MapSpec.array(name, Codec.i64(), 8).dir(dir).backend(b)));
        String arrayName = name + "a";
        try (SharedArray<Long> array = SharedArray.create(MapSpec.array(arrayName, Codec.i64(), 8).dir(dir).backend(b))) {
            IncompatibleMapException asHash = assertThrows(IncompatibleMapException.class,
                    () -> SharedHashMap.open(MapSpec.existing(arrayName).dir(dir)));
            assertEquals("map '" + arrayName + "' is an array map, not a hash map; open it with SharedArray", asHash.getMessage());
        } finally {
            SharedMaps.delete(MapSpec.existing(arrayName).dir(dir));
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void iterationAndForEachSeeEveryEntryOnce(Backend b) {
        try (SharedHashMap<Integer, Long> map = SharedHashMap.create(spec(b, Codec.i32(), Codec.i64(), 1000))) {
            Map<Integer, Long> expected = new TreeMap<>();
            for (int i = 0; i < 700; i++) {
                map.put(i, i * 10L);
                expected.put(i, i * 10L);
            }
            for (int i = 0; i < 700; i += 3) {
                map.remove(i);
                expected.remove(i);
            }
            Map<Integer, Long> iterated = new TreeMap<>();
            for (Map.Entry<Integer, Long> e : map) assertNull(iterated.put(e.getKey(), e.getValue()), "twice: " + e);
            assertEquals(expected, iterated);
            Map<Integer, Long> dumped = new TreeMap<>();
            map.forEach((k, v) -> assertNull(dumped.put(k, v), "twice: " + k));
            assertEquals(expected, dumped);
            assertEquals(expected.size(), map.size());
            HashStats stats = map.stats();
            assertEquals(expected.size(), stats.entries());
            assertEquals(1000, stats.capacity());
            assertEquals(0, stats.tombstones());
            assertEquals(expected.size() / 1000.0, stats.fillRatio(), 1e-9);
            assertTrue(b == Backend.BPF ? stats.longestProbe() == -1 : stats.longestProbe() >= 1, "" + stats);
            assertEquals("", map.verifyTable());
            map.clear();
            assertEquals(0, map.size());
            assertFalse(map.iterator().hasNext());
            assertEquals("", map.verifyTable());
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void removingEachKeyAsItIsReturnedStillReturnsEveryKeyOnce(Backend b) {
        // on the kernel map, deleting the key GET_NEXT_KEY stands on makes it start again from the first key
        try (SharedHashMap<Integer, Long> map = SharedHashMap.create(spec(b, Codec.i32(), Codec.i64(), 200))) {
            for (int i = 0; i < 150; i++) map.put(i, (long) i);
            List<Integer> returned = new ArrayList<>();
            for (Map.Entry<Integer, Long> e : map) {
                returned.add(e.getKey());
                assertEquals((long) e.getKey(), e.getValue());
                map.remove(e.getKey());
            }
            returned.sort(null);
            List<Integer> all = new ArrayList<>();
            for (int i = 0; i < 150; i++) all.add(i);
            assertEquals(all, returned);
            assertEquals(0, map.size());
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void changesNameTheirKeysAndKinds(Backend b) {
        try (SharedHashMap<String, Long> map = SharedHashMap.create(spec(b, Codec.chars(16), Codec.i64(), 64));
             SharedHashMap<String, Long> other = SharedHashMap.open(spec(b, Codec.chars(16), Codec.i64(), 64));
             KeyChangeCursor<String> all = map.changes();
             KeyChangeCursor<String> onlyA = map.changes(k -> k.startsWith("a"))) {
            other.put("ada", 1L);
            other.put("bob", 2L);
            other.getAndAdd("ada", 5);
            other.remove("bob");
            other.remove("nobody");
            other.putIfAbsent("ada", 7L);
            List<KeyChangeEvent<String>> events = new ArrayList<>();
            while (events.size() < 4) events.addAll(all.poll(Duration.ofSeconds(5)));
            long first = ((KeyChange<String>) events.getFirst()).seq();
            assertEquals(List.of(new KeyChange<>("ada", KeyChange.Kind.PUT, first, PID),
                    new KeyChange<>("bob", KeyChange.Kind.PUT, first + 1, PID),
                    new KeyChange<>("ada", KeyChange.Kind.ADD, first + 2, PID),
                    new KeyChange<>("bob", KeyChange.Kind.REMOVE, first + 3, PID)), events);
            assertEquals(List.of(), all.poll(Duration.ofMillis(50)), "no-ops are not changes");
            assertEquals(List.of(new KeyChange<>("ada", KeyChange.Kind.PUT, first, PID),
                    new KeyChange<>("ada", KeyChange.Kind.ADD, first + 2, PID)), onlyA.poll(Duration.ZERO));
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aReadOnlyHandleReadsAndRefusesWrites(Backend b) {
        try (SharedHashMap<Long, Long> map = SharedHashMap.create(spec(b, Codec.i64(), Codec.i64(), 8))) {
            map.put(1L, 10L);
            try (SharedHashMap<Long, Long> ro = SharedHashMap.openReadOnly(spec(b, Codec.i64(), Codec.i64(), 8))) {
                assertEquals(10L, ro.get(1L));
                MapAccessDeniedException e = assertThrows(MapAccessDeniedException.class, () -> ro.put(2L, 2L));
                assertEquals("map '" + name + "' is open read-only; writes are refused", e.getMessage());
                assertThrows(MapAccessDeniedException.class, () -> ro.remove(1L));
                assertThrows(MapAccessDeniedException.class, () -> ro.getAndAdd(1L, 1));
                assertThrows(MapAccessDeniedException.class, ro::clear);
                assertEquals(1, ro.size());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void anExistingMapIsAdoptedWithItsOwnSchemas(Backend b) {
        try (SharedHashMap<Key, Stat> map = SharedHashMap.create(spec(b, Codec.record(Key.class), Codec.record(Stat.class), 16))) {
            map.put(new Key(1, "a"), new Stat(5, 6, "o"));
        }
        try (SharedHashMap<Object, Object> any = SharedHashMap.open(MapSpec.existing(name).dir(dir))) {
            assertEquals(b, any.backend());
            assertEquals("shard:i32,name:char[12]", any.keyCodec().schema().toString());
            Map<String, Object> key = new HashMap<>(Map.of("shard", 1, "name", "a"));
            assertEquals(Map.of("hits", 5L, "bytes", 6L, "owner", "o"), any.get(key));
            MapInfo info = any.info();
            assertEquals(MapType.HASH, info.type());
            assertEquals("shard:i32,name:char[12]", info.keySchema().toString());
            assertEquals(16, info.entries());
            assertEquals(b == Backend.SHM ? "shared memory" : "syscall", info.details().get("access"));
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aClosedMapSaysSo(Backend b) {
        SharedHashMap<Long, Long> map = SharedHashMap.create(spec(b, Codec.i64(), Codec.i64(), 8));
        map.close();
        MapClosedException e = assertThrows(MapClosedException.class, () -> map.get(1L));
        assertEquals("map '" + name + "' is closed", e.getMessage());
        assertThrows(MapClosedException.class, () -> map.put(1L, 1L));
        assertThrows(MapClosedException.class, map::size);
    }

    @Test
    void kernelOptionsNeedTheBpfBackend() {
        IllegalArgumentException lru = assertThrows(IllegalArgumentException.class,
                () -> SharedHashMap.create(HashSpec.of(name, Codec.i64(), Codec.i64(), 8).dir(dir).lru(true)));
        assertEquals("map '" + name + "': LRU eviction is a kernel hash map feature; use the bpf backend", lru.getMessage());
    }

    @Test
    void computeRunsUnderTheLockAndANestedCallIsRefused() {
        try (SharedHashMap<Long, Long> map = SharedHashMap.create(spec(Backend.SHM, Codec.i64(), Codec.i64(), 8).segments(1))) {
            map.put(1L, 1L);
            LockAlreadyHeldException e = assertThrows(LockAlreadyHeldException.class,
                    () -> map.compute(1L, (k, v) -> map.put(2L, 2L)));
            assertTrue(e.getMessage().startsWith("this thread already holds the lock of stripe 0 of map '" + name + "'"), e.getMessage());
            assertEquals(1, map.size());
            IllegalStateException thrown = assertThrows(IllegalStateException.class,
                    () -> map.compute(1L, (k, v) -> { throw new IllegalStateException("no"); }));
            assertEquals("no", thrown.getMessage());
            assertEquals(1L, map.get(1L), "a function that throws changes nothing");
            assertEquals(List.of(), map.locks());
        }
    }
}
