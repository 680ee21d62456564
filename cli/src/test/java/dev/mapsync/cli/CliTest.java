package dev.mapsync.cli;

import dev.mapsync.testkit.TestDirs;
import dev.mapsync.launch.ChildJvm;
import dev.mapsync.testkit.TestJvm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CliTest {
    private Path dir;

    @BeforeEach
    void setUp() throws IOException {
        dir = TestDirs.create();
    }

    @AfterEach
    void tearDown() throws IOException {
        TestDirs.delete(dir);
    }

    private Cli ms(String... args) {
        return Cli.in(dir, args);
    }

    private void ok(Cli c) {
        c.ok();
    }

    @Test
    void recordsAreSetAndPrintedFieldByField() {
        Cli created = ms("create", "accounts", "--value", "id:i64,balance:i64,owner:char[16]", "--entries", "8");
        ok(created);
        assertEquals("created accounts: 8 x id:i64,balance:i64,owner:char[16] (shm backend, " + dir.resolve("accounts")
                + ", mode 0600)\n", created.out());
        ok(ms("set", "accounts", "7", "id=7,balance=100,owner=ada"));
        assertEquals("id=7,balance=100,owner=ada\n", ms("get", "accounts", "7").out());
        assertEquals("{\"id\":7,\"balance\":100,\"owner\":\"ada\"}\n", ms("get", "accounts", "7", "--json").out());
        ok(ms("set", "accounts", "7", "owner=\"Ada, Countess\""));
        assertEquals("id=7,balance=100,owner=\"Ada, Countess\"\n", ms("get", "accounts", "7").out());
        assertEquals("105\n", ms("add", "accounts", "7", "5", "--field", "balance").out());
        assertEquals("id=0,balance=0,owner=\"\"\n", ms("get", "accounts", "0").out());
    }

    /** One entry, one line: a string's line breaks and other control characters are written as escapes. */
    @Test
    void aStringWithALineBreakStaysOnItsEntrysLine() {
        ok(ms("create", "notes", "--value", "id:i64,text:char[16]", "--entries", "2"));
        ok(ms("set", "notes", "0", "id=1,text=\"a\nb\tc\u0001\""));  // real control characters
        String line = "id=1,text=\"a\\nb\\tc\\u0001\"\n";
        assertEquals(line, ms("get", "notes", "0").out());
        assertEquals("0\t" + line + "1\tid=0,text=\"\"\n", ms("dump", "notes").out());
        ok(ms("set", "notes", "1", line.strip())); // what get prints, given back, stores the same value
        assertEquals(ms("get", "notes", "0", "--json").out(), ms("get", "notes", "1", "--json").out());
        assertEquals("{\"id\":1,\"text\":\"a\\nb\\tc\\u0001\"}\n", ms("get", "notes", "1", "--json").out());
        ok(ms("set", "notes", "1", "text=a\u007fb"));
        assertEquals("id=1,text=\"a\\u007fb\"\n", ms("get", "notes", "1").out());
        ok(ms("set", "notes", "1", "text=\"q,\\\"\\\\\""));  // text="q,\"\\": a comma, a quote, a backslash
        assertEquals("id=1,text=\"q,\\\"\\\\\"\n", ms("get", "notes", "1").out());
        ok(ms("set", "notes", "1", "text=\"\\ud83d\\ude00\""));  // both halves of a surrogate pair: one character
        assertEquals("id=1,text=\uD83D\uDE00\n", ms("get", "notes", "1").out());
    }

    /** Characters that end a line for some readers (NEL, LS, PS) and the C1 controls are escaped too, or in hex. */
    @Test
    void lineSeparatorsOtherThanNewlineAndC1ControlsAreEscaped() {
        ok(ms("create", "notes", "--value", "text:char[16]", "--entries", "1"));
        ok(ms("set", "notes", "0", "text=a\u0085b\u2028c\u2029d\u009b"));
        assertEquals("text=\"a\\u0085b\\u2028c\\u2029d\\u009b\"\n", ms("get", "notes", "0").out());
        assertEquals("{\"text\":\"a\\u0085b\\u2028c\\u2029d\\u009b\"}\n", ms("get", "notes", "0", "--json").out());
        ok(ms("queue", "create", "events", "--capacity", "4K"));
        ok(ms("queue", "put", "events", "a\u2028b", "c\u0085"));
        assertEquals("hex:61e280a862\nhex:63c285\n", ms("queue", "take", "events", "--count", "2").out());
    }

    @Test
    void scalarsNestedStructsAndArrays() {
        ok(ms("create", "hits", "--value", "u64", "--entries", "4"));
        ok(ms("set", "hits", "1", "18446744073709551615"));
        assertEquals("18446744073709551615\n", ms("get", "hits", "1").out());
        assertEquals("18446744073709551615\n", ms("get", "hits", "1", "--json").out());
        assertEquals("0\n", ms("add", "hits", "1", "1").out());
        ok(ms("create", "shapes", "--value", "pos:{x:f32,y:f32},tags:u8[3],on:bool", "--entries", "2"));
        ok(ms("set", "shapes", "0", "pos.x=1.5,tags=[1,2,255],on=true"));
        assertEquals("pos.x=1.5,pos.y=0.0,tags=[1,2,255],on=true\n", ms("get", "shapes", "0").out());
        assertEquals("{\"pos\":{\"x\":1.5,\"y\":0.0},\"tags\":[1,2,255],\"on\":true}\n", ms("get", "shapes", "0", "--json").out());
    }

    @Test
    void casSwapsOnlyWhatItExpects() {
        ok(ms("create", "c", "--value", "i32", "--entries", "1"));
        Cli swapped = ms("cas", "c", "0", "0", "5");
        assertEquals(0, swapped.code());
        assertEquals("0\n", swapped.out());
        Cli refused = ms("cas", "c", "0", "0", "9");
        assertEquals(6, refused.code());
        assertEquals("5\n", refused.out());
        assertEquals("5\n", ms("get", "c", "0").out());
    }

    @Test
    void dumpStreamsEveryEntry() {
        ok(ms("create", "d", "--value", "a:i16,b:char[4]", "--entries", "3"));
        ok(ms("set", "d", "2", "a=-2,b=xy"));
        assertEquals("0\ta=0,b=\"\"\n1\ta=0,b=\"\"\n2\ta=-2,b=xy\n", ms("dump", "d").out());
        assertEquals("2\ta=-2,b=xy\n", ms("dump", "d", "--nonzero").out());
        assertEquals("{\"index\":2,\"value\":{\"a\":-2,\"b\":\"xy\"}}\n", ms("dump", "d", "--json", "--nonzero").out());
    }

    @Test
    void infoListAndRm() {
        ok(ms("create", "m1", "--value", "i64", "--entries", "10", "--mode", "0640"));
        ok(ms("create", "m2", "--value", "x:f64", "--entries", "2"));
        Cli info = ms("info", "m1");
        assertTrue(info.out().startsWith("map           m1\nfile          " + dir.resolve("m1") + "\ntype          array\n"
                + "backend       shm\nentries       10\nvalue         i64 (8 bytes, stride 8)\nmode          0640, owner uid "), info.out());
        assertTrue(ms("info", "m1", "--json").out().startsWith("{\"name\":\"m1\",\"file\":\"" + dir.resolve("m1")
                + "\",\"type\":\"array\",\"backend\":\"shm\",\"entries\":10,\"value_schema\":\"i64\",\"value_size\":8,"
                + "\"stride\":8,\"mode\":\"0640\""));
        assertEquals("NAME                     BACKEND TYPE     ENTRIES  VALUE\n"
                + "m1                       shm     array         10  i64\n"
                + "m2                       shm     array          2  x:f64\n", ms("list").out());
        ok(ms("rm", "m1", "m2"));
        assertEquals("", ms("list").out());
        Cli missing = ms("rm", "m1");
        assertEquals(2, missing.code());
        assertEquals("mapsync: no map 'm1' (no file " + dir.resolve("m1") + ")\n", missing.err());
        assertEquals(0, ms("rm", "-f", "m1").code());
    }

    @Test
    void aSeparateProcessPrintsEverythingBeforeItExits() {
        ok(ms("create", "m1", "--value", "i64", "--entries", "10"));
        try (ChildJvm info = TestJvm.start(Main.class, "info", "--dir=" + dir, "m1")) {
            info.awaitSuccess(60);
            assertTrue(info.output().startsWith("map           m1\nfile          " + dir.resolve("m1") + "\n"), info.output());
            assertTrue(info.output().endsWith("changelog     4096 changes\n"), info.output());
        }
    }

    @Test
    void errorsAreOneLineWithTheDocumentedExitCode() {
        Cli notFound = ms("get", "nope", "0");
        assertEquals(2, notFound.code());
        assertEquals("mapsync: no map 'nope' (no file " + dir.resolve("nope") + ")\n", notFound.err());
        assertEquals("", notFound.out());

        ok(ms("create", "e", "--value", "i64", "--entries", "2"));
        Cli range = ms("get", "e", "2");
        assertEquals(1, range.code());
        assertEquals("mapsync: index 2 is out of range for map 'e' (0..1)\n", range.err());

        Cli badValue = ms("set", "e", "0", "twelve");
        assertEquals(1, badValue.code());
        assertEquals("mapsync: 'twelve' is not a number of type i64\n", badValue.err());

        Cli badSchema = ms("create", "f", "--value", "i65", "--entries", "2");
        assertEquals(1, badSchema.code());
        assertTrue(badSchema.err().startsWith("mapsync: schema 'i65': expected a type"), badSchema.err());

        Cli exists = ms("create", "e", "--value", "i64", "--entries", "2");
        assertEquals(5, exists.code());
        assertEquals("mapsync: map 'e' already exists (" + dir.resolve("e") + ")\n", exists.err());

        Cli badName = ms("get", "..", "0");
        assertEquals(1, badName.code());

        Cli usage = ms("get", "e");
        assertEquals(1, usage.code());
        assertTrue(usage.err().startsWith("mapsync: Missing required parameter: 'INDEX'\nTry 'mapsync get --help'"), usage.err());

        Cli verbose = ms("get", "nope", "0", "--verbose");
        assertTrue(verbose.err().contains("dev.mapsync.MapNotFoundException"), verbose.err());
    }

    @Test
    void argumentsInAnAtFileRunTheCommandTheyName() throws IOException {
        ok(ms("create", "af", "--value", "i64", "--entries", "4"));
        Path args = dir.resolve("args");
        Files.writeString(args, "set\n--dir=" + dir + "\naf\n1\n42\n");
        Cli set = Cli.run("@" + args);
        assertEquals(0, set.code(), set.err());
        assertEquals("42\n", ms("get", "af", "1").out());
    }

    /** Only a first argument names a file of arguments: later words that start with '@' are taken as they are. */
    @Test
    void anAtWordAfterTheFirstArgumentIsLiteral() throws IOException {
        Path words = dir.resolve("words");
        Files.writeString(words, "alice bob\n");
        ok(ms("queue", "create", "events", "--capacity", "4K"));
        ok(ms("queue", "put", "events", "@" + words));
        assertEquals("@" + words + "\n", ms("queue", "take", "events").out());

        ok(ms("create", "m", "--value", "i64", "--entries", "1"));
        Path got = dir.resolve("got");
        ok(ms("lock", "m", "0", "--", "sh", "-c", "printf %s \"$1\" > \"$2\"", "sh", "@" + words, got.toString()));
        assertEquals("@" + words, Files.readString(got));
    }

    @Test
    void aCorruptMapIsExitCodeThree() throws IOException {
        Files.writeString(dir.resolve("junk"), "x".repeat(5000));
        Cli c = ms("info", "junk");
        assertEquals(3, c.code());
        assertEquals("mapsync: 'junk' is not a mapsync map (its first bytes are 7878787878787878, not \"MAPSYNC\\0\")\n", c.err());
    }

    @Test
    void theDemoChecksEveryCounterAndEndsWithJson() {
        Cli demo = ms("demo", "--processes", "2", "--ops", "20000", "--json");
        ok(demo);
        String[] lines = demo.out().strip().split("\n");
        String last = lines[lines.length - 1];
        assertTrue(last.startsWith("{\"ok\":true,\"backend\":\"shm\",\"processes\":2,\"operations\":40000,\"violations\":0,\"ops_per_sec\":"), last);
        assertEquals("result: OK, every check held", lines[lines.length - 2]);
        assertEquals("", ms("list").out(), "the demo removes its maps");
    }

    @Test
    void helpListsTheExitCodes() {
        Cli help = Cli.run("--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("Exit codes: 0 ok, 1 usage"), help.out());
        for (String c : new String[]{"create", "list", "info", "get", "set", "add", "cas", "dump", "rm", "queue", "barrier", "replicate", "export", "demo"}) {
            assertTrue(help.out().contains("  " + c + " "), c);
        }
        assertEquals(0, Cli.run("set", "--help").code());
    }

    @Test
    void completionScriptsAndVersion() throws Exception {
        Cli bash = Cli.run("completion", "bash");
        assertEquals(0, bash.code());
        assertTrue(bash.out().contains("complete -F _complete_mapsync"), bash.out().substring(0, 200));
        assertTrue(bash.out().contains("watch"), "subcommands are completed");
        Cli zsh = Cli.run("completion", "zsh");
        assertTrue(zsh.out().startsWith("autoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n"));
        Path script = Files.createTempFile("mapsync-completion", ".bash");
        Files.writeString(script, bash.out());
        Process p = new ProcessBuilder("bash", "-n", script.toString()).redirectErrorStream(true).start();
        assertEquals(0, p.waitFor(), new String(p.getInputStream().readAllBytes()));
        Files.delete(script);
        assertEquals(1, Cli.run("completion", "fish").code());
        Cli version = Cli.run("--version");
        assertEquals(0, version.code());
        assertTrue(version.out().startsWith("mapsync "), version.out());
    }
}
