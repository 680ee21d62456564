package dev.mapsync.cli;

import dev.mapsync.testkit.TestDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Bad commands, one a row: each prints exactly its one line (and picocli's hint to --help for malformed
 * arguments), exits with the documented code, and leaves the folder as it was: nothing created, nothing left.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CliBadInputTest {
    private Path dir;
    private List<String> files;

    @BeforeAll
    void makeMaps() {
        dir = TestDirs.create();
        for (String[] create : new String[][]{
                {"create", "a", "--value", "id:i64,f:f32,d:f64,b:u8,s:char[4],t:i32[2],on:bool", "--entries", "4"},
                {"create", "n", "--value", "i64", "--entries", "4"},
                {"create", "n32", "--value", "u32", "--entries", "4"},
                {"create", "h", "--type", "hash", "--key", "char[8]", "--value", "x:i32,y:f32", "--entries", "16"},
                {"create", "hk", "--type", "hash", "--key", "k:u8", "--value", "i64", "--entries", "16"},
                {"create", "hu", "--type", "hash", "--key", "u16", "--value", "i64", "--entries", "16"},
                {"queue", "create", "q", "--capacity", "4K", "--value", "x:u8,f:f32"},
                {"queue", "create", "r", "--capacity", "4K"},
                {"barrier", "create", "b", "--parties", "2"}}) {
            Cli.in(dir, create).ok();
        }
        files = list();
    }

    @AfterAll
    void removeMaps() {
        TestDirs.delete(dir);
    }

    private List<String> list() {
        try (Stream<Path> f = Files.list(dir)) {
            return f.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A bad command: what it must print on stderr, and its exit code. */
    private record Bad(int code, String err, String... args) {}

    private static Bad bad(int code, String err, String... args) {
        return new Bad(code, "mapsync: " + err + "\n", args);
    }

    /** A malformed argument, which picocli reports and follows with where to find help. */
    private static Bad usage(String command, String err, String... args) {
        return new Bad(1, "mapsync: " + err + "\nTry 'mapsync " + command + " --help' for more information.\n", args);
    }

    private static final String F32 = "(-3.4028235E38..3.4028235E38)";
    private static final String F64 = "(-1.7976931348623157E308..1.7976931348623157E308)";
    private static final String I64 = "(-9223372036854775808..9223372036854775807)";
    private static final String DURATION = "is not a duration (such as 5, 5s, 250ms, 2m)";
    private static final String TOO_LARGE = " is larger than 2147483639 bytes, the most a key or value may have";

    private static List<Bad> table() {
        return List.of(
                // sizes that do not fit the format: refused before anything is made
                bad(1, "map 'zc': value size 2147483647" + TOO_LARGE, "create", "zc", "--value", "char[2147483647]", "--entries", "1"),
                bad(1, "map 'zc': value size 2147483640" + TOO_LARGE, "create", "zc", "--value", "u8[2147483640]", "--entries", "1"),
                bad(1, "map 'zc': key size 2147483647" + TOO_LARGE,
                        "create", "zc", "--type", "hash", "--key", "char[2147483647]", "--value", "i64", "--entries", "1"),
                bad(1, "map 'zc': value size 2147483647" + TOO_LARGE,
                        "create", "zc", "--type", "hash", "--key", "i64", "--value", "char[2147483647]", "--entries", "1"),
                bad(1, "map 'zc': it would take 140737488355328 bytes, more than the 70368744177664 (64 TiB) a map may have",
                        "create", "zc", "--value", "char[1048576]", "--entries", "134217728"),
                bad(1, "i64[1073741824] is too large", "create", "zc", "--value", "i64[1073741824]", "--entries", "1"),
                bad(1, "a value of char[2147483647] is 2147483647 bytes; a ring of 4096 bytes holds records of at most 4088",
                        "queue", "create", "zq", "--capacity", "4K", "--value", "char[2147483647]"),
                bad(1, "entries must be at least 1, not -1", "create", "zc", "--value", "i64", "--entries", "-1"),
                usage("create", "Invalid value for option '--entries': '99999999999' is not an int",
                        "create", "zc", "--value", "i64", "--entries", "99999999999"),
                bad(1, "changelog capacity must be a power of two of at least 16, not 3",
                        "create", "zc", "--value", "i64", "--entries", "1", "--changelog", "3"),
                bad(1, "lock stripes must be at least 1, not 0", "create", "zc", "--value", "i64", "--entries", "1", "--stripes", "0"),
                bad(1, "mode '-1' is not an octal number such as 0640", "create", "zc", "--value", "i64", "--entries", "1", "--mode", "-1"),
                bad(1, "mode '0999' is not an octal number such as 0640",
                        "create", "zc", "--value", "i64", "--entries", "1", "--mode", "0999"),
                bad(1, "unknown backend 'nope' (shm or bpf)", "create", "zc", "--value", "i64", "--entries", "1", "--backend", "nope"),
                bad(1, "unknown backend 'nope' (shm or bpf)", "queue", "create", "zq", "--capacity", "4K", "--backend", "nope"),
                bad(1, "unknown backend 'nope' (shm or bpf)", "demo", "--backend", "nope"),
                bad(1, "a ring's capacity must be a power of two from 4096 to 1073741824 bytes, not 3",
                        "queue", "create", "zq", "--capacity", "3"),
                usage("queue create", "Invalid value for option '--capacity': '64G' is more than 2147483647 bytes",
                        "queue", "create", "zq", "--capacity", "64G"),
                usage("queue create", "Invalid value for option '--capacity': '17179869184G' is more than 2147483647 bytes",
                        "queue", "create", "zq", "--capacity", "17179869184G"),
                usage("queue create", "Invalid value for option '--capacity': '-4K' is not a size (such as 65536, 64K, 1M)",
                        "queue", "create", "zq", "--capacity", "-4K"),
                bad(1, "a barrier has 1 to 1024 parties, not 0", "barrier", "create", "zb", "--parties", "0"),

                // values that do not fit their field
                bad(1, "field 'f': 1e99 is out of range for f32 " + F32, "set", "a", "0", "f=1e99"),
                bad(1, "field 'f': -1e39 is out of range for f32 " + F32, "set", "a", "0", "f=-1e39"),
                bad(1, "field 'd': 1e999 is out of range for f64 " + F64, "set", "a", "0", "d=1e999"),
                bad(1, "field 'b': 256 is out of range for u8 (0..255)", "set", "a", "0", "b=256"),
                bad(1, "field 't[1]': 2147483648 is out of range for i32 (-2147483648..2147483647)", "set", "a", "0", "t=[1,2147483648]"),
                bad(1, "field 'id': 9223372036854775808 is out of range for i64 " + I64, "set", "a", "0", "id=9223372036854775808"),
                bad(1, "field 's': string of 5 bytes does not fit in char[4] (\"abcde\")", "set", "a", "0", "s=abcde"),
                bad(1, "field 'x': 99999999999 is out of range for i32 (-2147483648..2147483647)",
                        "set", "h", "k1", "x=99999999999"),
                bad(1, "field 'id' is given twice", "set", "a", "0", "id=1,id=2"),
                bad(1, "field 'on': '2' is not a bool (true or false)", "set", "a", "0", "on=2"),
                bad(1, "no field 'nope' in id:i64,f:f32,d:f64,b:u8,s:char[4],t:i32[2],on:bool (name fields as field=value,"
                        + " nested ones as a.b=value)", "set", "a", "0", "nope=1"),
                bad(1, "expected '=' at position 1 of ''", "set", "a", "0", ""),
                bad(1, "expected four hex digits after \\u at position 7 of 's=\"x\\u12\"'", "set", "a", "0",
                        "s=\"x\\u12\""),
                bad(1, "\\ud800 at position 4 of 's=\"\\ud800\"' is half of a surrogate pair, not a character",
                        "set", "a", "0", "s=\"\\ud800\""),
                bad(1, "\\udc00 at position 5 of 's=\"x\\udc00\"' is half of a surrogate pair, not a character",
                        "wait", "a", "0", "--until", "s=\"x\\udc00\"", "--timeout", "1s"),
                bad(1, "field 'id': '' is not a number of type i64", "set", "a", "0", "id="),
                bad(1, "'1.5' is not a number of type i64", "set", "n", "0", "1.5"),
                bad(1, "4294967296 is out of range for u32 (0..4294967295)", "set", "n32", "0", "4294967296"),
                bad(1, "field 'y': 1e99 is out of range for f32 " + F32, "set", "h", "abc", "y=1e99"),
                bad(1, "key of map 'hk': field 'k' is given twice", "get", "hk", "k=1,k=2"),
                bad(1, "key of map 'hk': field 'k': 300 is out of range for u8 (0..255)", "set", "hk", "k=300", "5"),
                bad(1, "field 'f': 1e99 is out of range for f32 " + F32, "queue", "put", "q", "f=1e99"),
                bad(1, "field 'x' is given twice", "queue", "put", "q", "x=1,x=2"),
                bad(1, "'zz' is not bytes in hex: not a hexadecimal digit: \"z\" = 122", "queue", "put", "r", "--hex", "zz"),
                bad(1, "field 'f': 1e99 is out of range for f32 " + F32, "wait", "a", "0", "--until", "f=1e99", "--timeout", "1s"),
                bad(1, "field 'id' is given twice", "wait", "a", "0", "--until", "id=1,id=2", "--timeout", "1s"),
                bad(1, "99999999999999999999 is out of range for i64 " + I64, "cas", "n", "0", "0", "99999999999999999999"),
                bad(1, "-1 is out of range for u32 (0..4294967295)", "cas", "n32", "0", "0", "-1"),
                bad(1, "'x' is not an integer", "cas", "n", "0", "x", "1"),
                // input echoed in a message stays on its line: control characters are escaped
                bad(1, "'x\\ny\\u001b[2J' is not an integer", "cas", "n", "0", "x\ny\u001b[2J", "1"),
                usage("get", "Invalid value for positional parameter at index 1 (INDEX): '7\\nx\\tz' is not an int",
                        "get", "n", "7\nx\tz"),
                bad(1, "delta 99999999999999999999 is out of range for a 64-bit slot " + I64, "add", "n", "0", "99999999999999999999"),
                bad(1, "delta 5000000000 is out of range for a 32-bit slot (-2147483648..2147483647)", "add", "n32", "0", "5000000000"),
                bad(1, "'1e3' is not an integer delta", "add", "n", "0", "1e3"),
                bad(1, "map 'a' has no field 'zz' (its values are id:i64,f:f32,d:f64,b:u8,s:char[4],t:i32[2],on:bool)",
                        "add", "a", "0", "1", "--field", "zz"),

                // indexes, counts, durations and other options
                bad(1, "index 4 is out of range for map 'a' (0..3)", "set", "a", "4", "id=1"),
                bad(1, "index -1 is out of range for map 'n' (0..3)", "get", "n", "-1"),
                usage("get", "Invalid value for positional parameter at index 1 (INDEX): '99999999999' is not an int", "get", "n", "99999999999"),
                usage("get", "Invalid value for positional parameter at index 1 (INDEX): '' is not an int", "get", "n", ""),
                bad(1, "index 9 is out of range for map 'n' (0..3)", "add", "n", "9", "1"),
                bad(1, "index 5 is out of range for map 'n' (0..3)", "cas", "n", "5", "0", "1"),
                bad(1, "index 9 is out of range for map 'n' (0..3)", "lock", "n", "9", "--", "true"),
                bad(1, "index 9 is out of range for map 'n' (0..3)", "unlock", "n", "9", "--force"),
                bad(1, "index 9 is out of range for map 'n' (0..3)", "wait", "n", "9", "--until", "5", "--timeout", "1s"),
                usage("wait", "Invalid value for option '--timeout': '-1s' " + DURATION, "wait", "n", "0", "--until", "5", "--timeout", "-1s"),
                usage("wait", "Invalid value for option '--timeout': '5d' " + DURATION, "wait", "n", "0", "--until", "5", "--timeout", "5d"),
                usage("wait", "Invalid value for option '--timeout': 'NaN' " + DURATION, "wait", "n", "0", "--until", "5", "--timeout", "NaN"),
                usage("wait", "Invalid value for option '--timeout': 'Infinity' " + DURATION,
                        "wait", "n", "0", "--until", "5", "--timeout", "Infinity"),
                usage("wait", "Invalid value for option '--timeout': '1e3' " + DURATION, "wait", "n", "0", "--until", "5", "--timeout", "1e3"),
                usage("wait", "Invalid value for option '--timeout': '' " + DURATION, "wait", "n", "0", "--until", "5", "--timeout", ""),
                usage("lock", "Invalid value for option '--timeout': '9223372036854775808ms' is more than 292 years",
                        "lock", "n", "0", "--timeout", "9223372036854775808ms", "--", "true"),
                usage("barrier await", "Invalid value for option '--timeout': '-1s' " + DURATION, "barrier", "await", "b", "--timeout", "-1s"),
                usage("queue take", "Invalid value for option '--timeout': '1x' " + DURATION, "queue", "take", "q", "--timeout", "1x"),
                bad(1, "--count must be at least 1, not 0", "queue", "take", "q", "--count", "0"),
                bad(1, "--count must be at least 1, not -1", "watch", "n", "--count", "-1", "--poll", "10ms"),
                bad(1, "--poll must be at least 1 ms, not 0 ms", "watch", "n", "--poll", "0s", "--count", "1"),
                bad(1, "--interval must be at least 1 ms, not 0 ms", "top", "n", "--interval", "0s"),
                bad(1, "--keys 5-9 is not a range within 0..3", "watch", "n", "--keys", "5-9", "--count", "1"),
                bad(1, "--keys x is not A-B or A", "watch", "n", "--keys", "x", "--count", "1"),
                bad(1, "--keys 9-10 is not a range within 0..3", "top", "n", "--keys", "9-10"),
                bad(1, "--bind nope.invalid is not an address of this host (nope.invalid: Name or service not known)",
                        "export", "--port", "0", "--bind", "nope.invalid", "n"),
                bad(1, "--port must be 0..65535, not 99999", "export", "--port", "99999", "n"),
                bad(1, "--max-series must be 0 or more, not -1", "export", "--port", "0", "--max-series", "-1", "n"),
                bad(1, "map 'n' is given twice", "export", "--port", "0", "n", "h", "n"),
                bad(1, "--keys 5-9 is not a range within 0..3", "export", "--port", "0", "--keys", "0,5-9", "n"),
                bad(1, "key of map 'h': string of 10 bytes does not fit in char[8] (\"toolongkey\")", "export", "--port", "0",
                        "--keys", "toolongkey", "h"),
                bad(1, "key of map 'hk': field 'k': 300 is out of range for u8 (0..255)", "export", "--port", "0", "--keys",
                        "k=300", "hk"),
                bad(1, "--keys 5-3 is not a range A-B with A <= B", "export", "--port", "0", "--keys", "5-3", "hu"),
                bad(1, "key of map 'hu': 70000 is out of range for u16 (0..65535)", "export", "--port", "0", "--keys", "1-70000",
                        "hu"),
                bad(1, "key of map 'hu': 'a' is not a number of type u16", "export", "--port", "0", "--keys", "a-b", "hu"),
                bad(1, "--processes must be 1..64, not 0", "demo", "--processes", "0"),
                bad(1, "invalid map name '': use 1 to 128 of A-Z a-z 0-9 _ - (not starting with '-'); '/', '.' and '..' are"
                        + " refused so that no name leaves its folder", "info", ""),

                // maps that are missing or of another type
                bad(2, "no map 'nope' (no file " + "DIR/nope)", "get", "nope", "0"),
                bad(2, "no map 'nope' (no file " + "DIR/nope)", "queue", "put", "nope", "1"),
                bad(2, "no map 'nope' (no file " + "DIR/nope)", "barrier", "await", "nope"),
                bad(2, "no map 'x' (no file DIR/n/x: part of its path is not a folder)", "get", "DIR/n/x", "0"),
                bad(2, "map 'h' has no key \"\" (the empty string)", "get", "h", ""),
                bad(1, "expected '=' at position 5 of 'nope'", "wait", "h", "0", "--until", "nope", "--timeout", "1s"),
                bad(1, "map 'h' holds records; name the field with --field", "add", "h", "k", "1"),
                bad(1, "field 'y' of map 'h' are f32; atomic operations need i32, u32, i64 or u64", "cas", "h", "k", "0",
                        "1", "--field", "y"),
                bad(3, "map 'q' is a ring map; mapsync get works on array, hash and counter maps", "get", "q", "0"),
                bad(3, "map 'b' is a barrier map; mapsync dump works on array, hash and counter maps", "dump", "b"),
                bad(3, "map 'n' is an array map; mapsync queue put works on rings (queues)", "queue", "put", "n", "1"),
                bad(3, "map 'n' is an array map; mapsync queue take works on rings (queues)", "queue", "take", "n"),
                bad(3, "map 'n' is an array map; mapsync barrier await works on barriers", "barrier", "await", "n"),
                bad(1, "map 'n' is an array map; rm-key removes the keys of hash maps (an array's entries always exist: set"
                        + " them instead)", "rm-key", "n", "1"),
                bad(3, "map 'q' is a ring map; mapsync rm-key works on hash maps", "rm-key", "q", "1"),
                bad(3, "map 'b' is a barrier map; mapsync rm-key works on hash maps", "rm-key", "b", "1"));
    }

    @TestFactory
    Stream<DynamicTest> eachBadCommandIsOneLineWithItsExitCode() {
        return table().stream().map(b -> DynamicTest.dynamicTest(String.join(" ", b.args()), () -> {
            // a bad command that waits for ever is a failure too: --count -1 once watched for ever
            String[] args = Stream.of(b.args()).map(a -> a.replace("DIR", dir.toString())).toArray(String[]::new);
            Cli c = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> Cli.in(dir, args), "a bad command ends at once");
            assertEquals(b.err().replace("DIR", dir.toString()), c.err(), "stderr of " + String.join(" ", b.args()));
            assertEquals(b.code(), c.code(), "exit code of " + String.join(" ", b.args()));
            assertEquals(files, list(), "nothing is made or left behind");
        }));
    }

    @Test
    void aBadValueIsFoundBeforeAnyIsPutOrNamedByItsLine() {
        Cli.in(dir, "queue", "create", "lines", "--capacity", "4K", "--value", "x:u8").ok();
        try {
            Cli bad = Cli.in(dir, "queue", "put", "lines", "x=1", "x=2", "x=300");
            assertEquals(1, bad.code());
            assertEquals("mapsync: field 'x': 300 is out of range for u8 (0..255)\n", bad.err());
            assertEquals(124, Cli.in(dir, "queue", "take", "lines", "--timeout", "0").code(), "no value was put");

            InputStream stdin = System.in;
            System.setIn(new ByteArrayInputStream("x=1\nx=2\nx=-1\nx=4\n".getBytes(StandardCharsets.UTF_8)));
            Cli lines;
            try {
                lines = Cli.in(dir, "queue", "put", "lines");
            } finally {
                System.setIn(stdin);
            }
            assertEquals(1, lines.code());
            assertEquals("mapsync: line 3 of standard input (2 records put before it): field 'x': -1 is out of range for u8"
                    + " (0..255)\n", lines.err());
            assertEquals("x=1\nx=2\n", Cli.in(dir, "queue", "take", "lines", "--count", "2").ok().out());
        } finally {
            Cli.in(dir, "rm", "lines").ok();
        }
    }

    @Test
    void aMalformedKeyRemovesNoKey() {
        Cli.in(dir, "set", "h", "one", "x=1").ok();
        try {
            Cli bad = Cli.in(dir, "rm-key", "h", "one", "far-too-long");
            assertEquals(1, bad.code());
            assertEquals("mapsync: key of map 'h': string of 12 bytes does not fit in char[8] (\"far-too-long\")\n", bad.err());
            assertEquals("x=1,y=0.0\n", Cli.in(dir, "get", "h", "one").ok().out());
        } finally {
            Cli.in(dir, "rm-key", "h", "one").ok();
        }
    }
}
