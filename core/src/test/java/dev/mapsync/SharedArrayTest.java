package dev.mapsync;

import dev.mapsync.testkit.Accounts;
import dev.mapsync.testkit.Accounts.Account;
import dev.mapsync.testkit.Machine;
import dev.mapsync.testkit.MapDir;
import dev.mapsync.testkit.PaddedPair;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The array map API, on every backend this machine can run. */
class SharedArrayTest {
    @RegisterExtension
    final MapDir maps = new MapDir("t");
    private Path dir;
    private String name;

    @BeforeEach
    void setUp() {
        dir = maps.dir();
        name = maps.name();
    }

    private <V> ArraySpec<V> spec(Backend b, Codec<V> codec, int entries) {
        return Machine.on(b, MapSpec.array(name, codec, entries).dir(dir));
    }

    private ArraySpec<Account> accounts(Backend b, int entries) {
        return Machine.on(b, Accounts.spec(dir, name, entries));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void valuesWrittenByOneHandleAreReadByAnother(Backend b) {
        try (SharedArray<Account> writer = SharedArray.create(accounts(b, 8));
             SharedArray<Account> reader = SharedArray.open(accounts(b, 8))) {
            writer.set(7, new Account(7, 100, "ada"));
            assertEquals(new Account(7, 100, "ada"), reader.get(7));
            assertEquals(new Account(0, 0, ""), reader.get(0));
            assertEquals(8, reader.length());
        }
        try (SharedArray<Account> again = SharedArray.open(accounts(b, 8))) {
            assertEquals(new Account(7, 100, "ada"), again.get(7));
        }
    }

    /**
     * A codec of one's own that skips a struct's padding does not copy into the map what this thread's scratch bytes
     * held: here another map's string, written and read just before. (The shm file shows every byte of the map.)
     */
    @Test
    void aCodecOfOnesOwnThatSkipsThePaddingLeavesItZero() throws Exception {
        try (SharedArray<String> secrets = SharedArray.create(MapSpec.array(maps.name("s"), Codec.chars(32), 1).dir(dir));
             SharedArray<PaddedPair> pairs = SharedArray.create(spec(Backend.SHM, PaddedPair.FIELDS_ONLY, 1))) {
            secrets.set(0, "x".repeat(32));
            assertEquals("x".repeat(32), secrets.get(0));
            pairs.set(0, new PaddedPair(1, 2));
            assertEquals(new PaddedPair(1, 2), pairs.get(0));
            String file = new String(Files.readAllBytes(dir.resolve(name)), StandardCharsets.ISO_8859_1);
            assertFalse(file.contains("xxxx"), "the map holds bytes of another map");
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void anExistingMapCanBeOpenedWithoutKnowingItsSchema(Backend b) {
        try (SharedArray<Account> map = SharedArray.create(accounts(b, 4))) {
            map.set(2, new Account(2, -5, "bob"));
        }
        try (SharedArray<Object> map = SharedArray.open(MapSpec.existing(name).dir(dir).backend(b))) {
            assertEquals("id:i64,balance:i64,owner:char[16]", map.codec().schema().toString());
            assertEquals(Map.of("id", 2L, "balance", -5L, "owner", "bob"), map.get(2));
            assertEquals(4, map.length());
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void atomicsOnLongSlots(Backend b) {
        try (SharedArray<Long> map = SharedArray.create(spec(b, Codec.i64(), 4))) {
            LongSlots s = map.longs();
            assertEquals(0, s.getAndAdd(1, 5));
            assertEquals(12, s.addAndGet(1, 7));
            assertTrue(s.compareAndSet(1, 12, 20));
            assertFalse(s.compareAndSet(1, 12, 30));
            assertEquals(20, s.compareAndExchange(1, 99, 0));
            assertEquals(20, s.getAndSet(1, -1));
            s.setPlain(2, 1);
            s.setOpaque(2, 2);
            s.setRelease(2, 3);
            s.setVolatile(3, 4);
            assertEquals(-1, s.get(1));
            assertEquals(3, s.getPlain(2) + s.getOpaque(2) + s.getAcquire(2) - 6);
            assertEquals(4, s.getVolatile(3));
            assertEquals(-1L, map.get(1));
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void atomicsOnIntSlotsAndRecordFields(Backend b) {
        try (SharedArray<Integer> map = SharedArray.create(spec(b, Codec.i32(), 3))) {
            assertEquals(0, map.ints().getAndAdd(2, 3));
            assertEquals(3, map.get(2));
        }
        SharedMaps.delete(MapSpec.existing(name).dir(dir).backend(b));
        try (SharedArray<Account> map = SharedArray.create(accounts(b, 3))) {
            map.set(1, new Account(1, 10, "cy"));
            assertEquals(10, map.longs("balance").getAndAdd(1, 5));
            assertEquals(new Account(1, 15, "cy"), map.get(1));
        }
    }

    record Odd(int a, long b, int c, @Chars(4) String d) {}

    record Unaligned(byte a, @Chars(3) String s, int i) {}

    @ParameterizedTest
    @EnumSource(Backend.class)
    void fieldsThatCannotBeAtomicAreRefusedWhenTheAccessorIsMade(Backend b) {
        try (SharedArray<Odd> map = SharedArray.create(Machine.on(b, MapSpec.array(name, Odd.class, 2).dir(dir)))) {
            assertEquals("field 'a' is i32; atomic access needs i64 or u64",
                    assertThrows(IllegalArgumentException.class, () -> map.longs("a")).getMessage());
            assertEquals("field 'd' is char[4]; atomic access needs i32 or u32",
                    assertThrows(IllegalArgumentException.class, () -> map.ints("d")).getMessage());
            assertEquals("map '" + name + "' has no field 'e' (its values are a:i32,b:i64,c:i32,d:char[4])",
                    assertThrows(IllegalArgumentException.class, () -> map.ints("e")).getMessage());
            assertEquals("map '" + name + "' holds a:i32,b:i64,c:i32,d:char[4], not i64 or u64 values",
                    assertThrows(IllegalArgumentException.class, map::longs).getMessage());
            assertEquals(0, map.longs("b").get(1));
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void indexesOutsideTheMapAreRefused(Backend b) {
        try (SharedArray<Long> map = SharedArray.create(spec(b, Codec.i64(), 10))) {
            for (int bad : new int[]{-1, 10}) {
                IndexOutOfRangeException e = assertThrows(IndexOutOfRangeException.class, () -> map.get(bad));
                assertEquals("index " + bad + " is out of range for map '" + name + "' (0..9)", e.getMessage());
                assertThrows(IndexOutOfRangeException.class, () -> map.set(bad, 1L));
                assertThrows(IndexOutOfRangeException.class, () -> map.longs().getAndAdd(bad, 1));
            }
            for (int i = 0; i < 10; i++) assertEquals(0L, map.get(i));
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aStringOneByteTooLongChangesNothing(Backend b) {
        try (SharedArray<Account> map = SharedArray.create(accounts(b, 2))) {
            map.set(1, new Account(1, 1, "sixteen bytes ok"));
            InvalidValueException e = assertThrows(InvalidValueException.class,
                    () -> map.set(1, new Account(9, 9, "seventeen bytes!!")));
            assertEquals("field 'owner': string of 17 bytes does not fit in char[16] (\"seventeen bytes!!\")", e.getMessage());
            assertEquals(new Account(1, 1, "sixteen bytes ok"), map.get(1));
        }
    }

    /** A record of primitives, written in place, whose accessor can refuse. */
    record Picky(long id, long amount) {
        @Override
        public long amount() {
            if (amount < 0) throw new IllegalArgumentException("amount " + amount + " is negative");
            return amount;
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void anAccessorThatThrowsChangesNothingAndLeavesTheEntryUsable(Backend b) {
        try (SharedArray<Picky> map = SharedArray.create(Machine.on(b, MapSpec.array(name, Picky.class, 2).dir(dir)))) {
            map.set(1, new Picky(1, 10));
            assertEquals("amount -5 is negative",
                    assertThrows(IllegalArgumentException.class, () -> map.set(1, new Picky(2, -5))).getMessage());
            assertEquals(new Picky(1, 10), map.get(1));
            assertEquals(List.of(), map.locks(), "the lock was released");
            map.set(1, new Picky(3, 30));
            assertEquals(new Picky(3, 30), map.get(1));
            assertEquals("the value is null",
                    assertThrows(InvalidValueException.class, () -> map.set(1, null)).getMessage());
            assertEquals(new Picky(3, 30), map.get(1));
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aReadOnlyHandleRefusesEveryWrite(Backend b) {
        try (SharedArray<Account> map = SharedArray.create(accounts(b, 2))) {
            map.set(0, new Account(0, 5, "x"));
        }
        try (SharedArray<Account> ro = SharedArray.openReadOnly(accounts(b, 2))) {
            assertTrue(ro.isReadOnly());
            assertEquals(new Account(0, 5, "x"), ro.get(0));
            String message = "map '" + name + "' is open read-only; writes are refused";
            assertEquals(message, assertThrows(MapAccessDeniedException.class, () -> ro.set(0, new Account(0, 6, "y"))).getMessage());
            LongSlots balance = ro.longs("balance");
            assertEquals(message, assertThrows(MapAccessDeniedException.class, () -> balance.getAndAdd(0, 1)).getMessage());
            assertThrows(MapAccessDeniedException.class, () -> balance.set(0, 1));
            assertThrows(MapAccessDeniedException.class, () -> balance.compareAndSet(0, 5, 1));
            assertEquals(5, balance.get(0));
        }
    }

    /** How every spec mismatch ends: what to do about it. */
    static final String TO_GO_ON = ". To go on, delete the map (SharedMaps.delete, or mapsync rm) and create it again,"
            + " or give the spec another name";

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aSpecMismatchNamesTheField(Backend b) {
        SharedArray.create(accounts(b, 4)).close();
        record Small(long id, long balance) {}
        assertEquals("map '" + name + "' does not match the spec: value schema: file has 'id:i64,balance:i64,owner:char[16]',"
                + " 32 bytes, spec asks 'id:i64,balance:i64', 16 bytes (the spec lacks owner:char[16])" + TO_GO_ON,
                assertThrows(IncompatibleMapException.class,
                        () -> SharedArray.open(Machine.on(b, MapSpec.array(name, Small.class, 4).dir(dir)))).getMessage());
        assertEquals("map '" + name + "' does not match the spec: entries: file has 4, spec asks 5" + TO_GO_ON,
                assertThrows(IncompatibleMapException.class, () -> SharedArray.open(accounts(b, 5))).getMessage());
        record Renamed(long id, long balance, @Chars(16) String name) {}
        IncompatibleMapException e = assertThrows(IncompatibleMapException.class,
                () -> SharedArray.openOrCreate(Machine.on(b, MapSpec.array(name, Renamed.class, 4).dir(dir))));
        assertEquals("map '" + name + "' does not match the spec: value schema: file has 'id:i64,balance:i64,owner:char[16]',"
                + " spec asks 'id:i64,balance:i64,name:char[16]' (the spec adds name:char[16]; the spec lacks owner:char[16])"
                + TO_GO_ON, e.getMessage());
        assertEquals("value schema", e.field());
        // a record that gained a field, and one whose field changed its type: the message says which
        record Grown(long id, long balance, @Chars(16) String owner, long created) {}
        assertEquals("map '" + name + "' does not match the spec: value schema: file has 'id:i64,balance:i64,owner:char[16]',"
                + " 32 bytes, spec asks 'id:i64,balance:i64,owner:char[16],created:i64', 40 bytes (the spec adds created:i64)"
                + TO_GO_ON, assertThrows(IncompatibleMapException.class,
                        () -> SharedArray.open(Machine.on(b, MapSpec.array(name, Grown.class, 4).dir(dir)))).getMessage());
        record Narrowed(long id, int balance, @Chars(16) String owner) {}
        assertEquals("map '" + name + "' does not match the spec: value schema: file has 'id:i64,balance:i64,owner:char[16]',"
                + " spec asks 'id:i64,balance:i32,owner:char[16]' (balance is i64 in the map and i32 in the spec)" + TO_GO_ON, assertThrows(IncompatibleMapException.class,
                        () -> SharedArray.open(Machine.on(b, MapSpec.array(name, Narrowed.class, 4).dir(dir)))).getMessage());
        assertEquals("map '" + name + "' does not match the spec: lock stripes: file has 4, spec asks 2" + TO_GO_ON,
                assertThrows(IncompatibleMapException.class, () -> SharedArray.open(accounts(b, 4).lockStripes(2))).getMessage());
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void closingTwiceIsHarmlessAndAClosedHandleSaysSo(Backend b) {
        SharedArray<Long> first = SharedArray.create(spec(b, Codec.i64(), 2));
        SharedArray<Long> second = SharedArray.open(spec(b, Codec.i64(), 2));
        LongSlots slots = first.longs();
        first.close();
        first.close();
        assertTrue(first.isClosed());
        String message = "map '" + name + "' is closed";
        assertEquals(message, assertThrows(MapClosedException.class, () -> first.get(0)).getMessage());
        assertEquals(message, assertThrows(MapClosedException.class, () -> first.set(0, 1L)).getMessage());
        assertEquals(message, assertThrows(MapClosedException.class, () -> slots.getAndAdd(0, 1)).getMessage());
        assertEquals(message, assertThrows(MapClosedException.class, first::longs).getMessage());
        second.longs().getAndAdd(0, 1);
        assertEquals(1L, second.get(0));
        second.close();
        second.close();
        // a record of primitives is read by compiled code in place: closed is closed there too
        ArraySpec<Picky> recordSpec = Machine.on(b, MapSpec.array(name + "r", Picky.class, 2).dir(dir));
        SharedArray<Picky> records = SharedArray.create(recordSpec);
        records.set(1, new Picky(1, 10));
        records.close();
        try {
            assertEquals("map '" + name + "r' is closed",
                    assertThrows(MapClosedException.class, () -> records.get(1)).getMessage());
        } finally {
            SharedMaps.delete(recordSpec.location());
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void creatingAnExistingMapIsRefusedAndOpeningAMissingOneToo(Backend b) {
        SharedArray.create(spec(b, Codec.i64(), 2)).close();
        assertThrows(MapExistsException.class, () -> SharedArray.create(spec(b, Codec.i64(), 2)));
        try (SharedArray<Long> same = SharedArray.openOrCreate(spec(b, Codec.i64(), 2))) {
            assertEquals(2, same.length());
        }
        SharedMaps.delete(MapSpec.existing(name).dir(dir).backend(b));
        MapNotFoundException e = assertThrows(MapNotFoundException.class, () -> SharedArray.open(spec(b, Codec.i64(), 2)));
        assertTrue(e.getMessage().startsWith("no map '" + name + "'"), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void newMapsAreOwnerOnlyUnlessTheSpecSaysOtherwise(Backend b) throws Exception {
        try (SharedArray<Long> map = SharedArray.create(spec(b, Codec.i64(), 2))) {
            assertEquals(0600, map.info().mode());
        }
        SharedMaps.delete(MapSpec.existing(name).dir(dir).backend(b));
        try (SharedArray<Long> map = SharedArray.create(spec(b, Codec.i64(), 2).mode(0640))) {
            assertEquals(0640, map.info().mode());
            if (b == Backend.SHM) {
                assertEquals(PosixFilePermissions.fromString("rw-r-----"), Files.getPosixFilePermissions(dir.resolve(name)));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void infoAndListDescribeTheMap(Backend b) {
        try (SharedArray<Account> map = SharedArray.create(accounts(b, 3))) {
            MapInfo info = map.info();
            assertEquals(name, info.name());
            assertEquals(MapType.ARRAY, info.type());
            assertEquals(b, info.backend());
            assertEquals(3, info.entries());
            assertEquals(32, info.valueSize());
            assertEquals(32, info.stride());
            assertEquals(ProcessHandle.current().pid(), info.creatorPid());
            assertTrue(info.creatorAlive());
            List<MapInfo> listed = SharedMaps.list(dir);
            assertEquals(List.of(name), listed.stream().map(MapInfo::name).toList());
            assertEquals("id:i64,balance:i64,owner:char[16]", listed.getFirst().valueSchema().toString());
        }
    }
}
