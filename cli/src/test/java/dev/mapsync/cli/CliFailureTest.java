package dev.mapsync.cli;

import dev.mapsync.testkit.Machine;
import dev.mapsync.IncompatibleMapException;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;
import dev.mapsync.SharedHashMap;
import dev.mapsync.cli.top.TopSource;
import dev.mapsync.cli.top.TopView;
import dev.mapsync.internal.store.Header;
import dev.mapsync.launch.ChildJvm;
import dev.mapsync.launch.Jvm;
import dev.mapsync.testkit.TestDirs;
import dev.mapsync.testkit.TestJvm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Failures that are not the library's exceptions: Errors of the JVM, bugs, a JVM that denies native access, a
 * file system without room. Each is still one line on stderr with the documented exit code.
 */
class CliFailureTest {
    private Path dir;

    @BeforeEach
    void setUp() {
        dir = TestDirs.create();
    }

    @AfterEach
    void tearDown() {
        TestDirs.delete(dir);
    }

    /** What the handler prints for {@code e} thrown by {@code mapsync get MAP ...}, and the exit code. */
    private static Cli reported(Throwable e, boolean verbose, String... args) {
        StringWriter err = new StringWriter();
        CommandLine main = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(err, true), args);
        CommandLine command = main.parseArgs(args).asCommandLineList().getLast();
        int code = Failure.report(e, command, verbose);
        return new Cli(code, "", err.toString());
    }

    @Test
    void anUnsafeMemoryFaultIsACorruptMapNamedByTheCommand() {
        Cli c = reported(new InternalError("a fault occurred in an unsafe memory access operation"), false, "get", "accounts", "7");
        assertEquals(3, c.code());
        assertEquals("mapsync: map 'accounts' is corrupt: its memory vanished under mapsync get (its file was truncated, or"
                + " its file system could not back a page of it)\n", c.err());
        // also when a layer wrapped it
        Cli wrapped = reported(new IllegalStateException("copy failed",
                new InternalError("a fault occurred in a recent unsafe memory access operation in compiled Java code")),
                false, "queue", "take", "jobs");
        assertEquals(3, wrapped.code());
        assertEquals("mapsync: map 'jobs' is corrupt: its memory vanished under mapsync queue take (its file was truncated, or"
                + " its file system could not back a page of it)\n", wrapped.err());
    }

    @Test
    void otherErrorsAreOneLineAndExitFive() {
        Cli overflow = reported(new StackOverflowError(), false, "get", "m", "0");
        assertEquals(5, overflow.code());
        assertEquals("mapsync: fatal error in mapsync get: java.lang.StackOverflowError (--verbose prints the stack trace)\n",
                overflow.err());
        Cli memory = reported(new OutOfMemoryError("Java heap space"), false, "dump", "m");
        assertEquals(5, memory.code());
        assertEquals("mapsync: fatal error in mapsync dump: java.lang.OutOfMemoryError: Java heap space (--verbose prints"
                + " the stack trace)\n", memory.err());
        Cli verbose = reported(new StackOverflowError(), true, "get", "m", "0");
        assertTrue(verbose.err().startsWith("mapsync: fatal error in mapsync get: java.lang.StackOverflowError (--verbose"
                + " prints the stack trace)\njava.lang.StackOverflowError\n\tat "), verbose.err());
    }

    @Test
    void aBugIsOneLineThatSaysItIsWorthReporting() {
        Cli c = reported(new IndexOutOfBoundsException("Index 9 out of bounds for length 4"), false, "set", "m", "0", "1");
        assertEquals(5, c.code());
        assertEquals("mapsync: internal failure in mapsync set, a bug worth reporting with the command that caused it"
                + " (--verbose prints the stack trace): java.lang.IndexOutOfBoundsException: Index 9 out of bounds for"
                + " length 4\n", c.err());
        Cli state = reported(new IllegalStateException("first line\n  second line"), false, "get", "m", "0");
        assertEquals(5, state.code());
        assertEquals("mapsync: internal failure in mapsync get, a bug worth reporting with the command that caused it"
                + " (--verbose prints the stack trace): java.lang.IllegalStateException: first line second line\n", state.err());
    }

    @Test
    void theDocumentedExceptionsKeepTheirCodes() {
        Cli incompatible = reported(new IncompatibleMapException("m", "value size", 24, 16), false, "get", "m", "0");
        assertEquals(3, incompatible.code());
        assertEquals("mapsync: map 'm' does not match the spec: value size: file has 24, spec asks 16. To go on, delete the"
                + " map (SharedMaps.delete, or mapsync rm) and create it again, or give the spec another name\n",
                incompatible.err());
        assertEquals(1, reported(new IllegalArgumentException("bad"), false, "get", "m", "0").code());
        assertEquals(5, reported(new CommandFailure("a worker process exited before it was ready"), false, "demo").code());
        assertEquals("mapsync: a worker process exited before it was ready\n",
                reported(new CommandFailure("a worker process exited before it was ready"), false, "demo").err());
    }

    @Test
    void aMapWhoseFileIsTruncatedUnderACommandIsCorrupt() throws Exception {
        Cli.in(dir, "create", "m", "--value", "i64", "--entries", "512").ok();
        Path file = dir.resolve("m");
        try (ChildJvm waiting = TestJvm.start(Main.class, "wait", "--dir=" + dir, "m", "0", "--until", "5", "--timeout", "60s")) {
            awaitMapped(waiting.pid(), file);
            try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
                f.setLength(4096); // the header only: the values and the control region vanish under the reader
            }
            int code = waiting.await(60);
            List<String> lines = waiting.output().lines().filter(l -> !l.startsWith("WARNING")).toList();
            assertEquals(3, code, waiting.output());
            assertEquals(1, lines.size(), waiting.output());
            assertTrue(lines.getFirst().startsWith("mapsync: map 'm' "), waiting.output());
        }
    }

    /** Waits until the process has mapped the file: it has opened the map, and the truncation comes after. */
    private static void awaitMapped(long pid, Path file) throws Exception {
        Path maps = Path.of("/proc/" + pid + "/maps");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (Files.exists(maps) && Files.readString(maps).contains(file.toString())) return;
            Thread.sleep(10);
        }
        throw new AssertionError("the child did not map " + file);
    }

    @Test
    void aJvmThatDeniesNativeAccessGetsOneLineSayingHowToAllowIt() throws Exception {
        Process p = Jvm.main(Main.class).nativeAccess(false).jvmOptions("--illegal-native-access=deny", "-Xmx128m")
                .args("get", "--dir=" + dir, "m", "0").stdout(ProcessBuilder.Redirect.DISCARD).start().process();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(5, p.exitValue(), err);
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.startsWith("mapsync: native access is denied, and mapsync needs it: run java with"
                + " --enable-native-access=ALL-UNNAMED (Illegal native access from an unnamed module"), err);
    }

    @Test
    void noRoomNamesTheFolderOfTheMap() throws IOException {
        long bytes = 1L << 45; // 32 TiB of values: more than the file system of any test folder holds
        long total = Files.getFileStore(dir).getTotalSpace();
        if (total <= 0 || total >= bytes) Machine.skip("small file system", "needs a file system with a size limit below 32 TiB");
        Cli c = Cli.in(dir, "create", "big", "--value", "char[1048576]", "--entries", Long.toString(bytes >> 20));
        assertEquals(5, c.code());
        assertEquals("mapsync: no room for map 'big': fallocate: ENOSPC (no space left on device) (is " + dir + " full?"
                + " see df -h " + dir + ")\n", c.err());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.count(), "nothing is left behind");
        }
    }

    @Test
    void bytesThatAreNotAValueOfTheSchemaAreACorruptMap() throws IOException {
        Cli.in(dir, "create", "u", "--value", "s:char[4],x:i32", "--entries", "2").ok();
        writeNotUtf8(dir.resolve("u"), 0);
        String line = "mapsync: map 'u' is corrupt: entry 0 is not a value of its schema (field 's': char[4] field holds"
                + " bytes that are not UTF-8)\n";
        Cli get = Cli.in(dir, "get", "u", "0");
        assertEquals(3, get.code());
        assertEquals(line, get.err());
        Cli dump = Cli.in(dir, "dump", "u");
        assertEquals(3, dump.code());
        assertEquals(line, dump.err());
        assertEquals("s=\"\",x=0\n", Cli.in(dir, "get", "u", "1").ok().out(), "the other entries read as before");
        for (String[] command : List.of(new String[]{"set", "u", "0", "x=1"},
                new String[]{"wait", "u", "0", "--until", "x=1", "--timeout", "1s"})) {
            Cli c = Cli.in(dir, command);
            assertEquals(3, c.code(), String.join(" ", command) + ": " + c.err());
            assertEquals(line, c.err(), String.join(" ", command));
        }
    }

    /** A command with a timeout waits for a map's creator to finish it no longer than that (not the 5 s default). */
    @Test
    void aCommandsTimeoutBoundsItsWaitForAnUnfinishedMap() throws IOException {
        Files.createFile(dir.resolve("m")); // a creator that has not written the header yet
        for (String[] command : List.of(new String[]{"wait", "m", "0", "--until", "1", "--timeout", "300ms"},
                new String[]{"watch", "m", "--timeout", "300ms"},
                new String[]{"lock", "m", "0", "--timeout", "300ms", "--", "true"},
                new String[]{"queue", "take", "m", "--timeout", "300ms"},
                new String[]{"barrier", "await", "m", "--timeout", "300ms"})) {
            long start = System.nanoTime();
            Cli c = Cli.in(dir, command);
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(3, c.code(), String.join(" ", command) + ": " + c.err());
            assertTrue(c.err().startsWith("mapsync: map "), c.err());
            // the default bound is 5 s: a command that waited for it took at least that
            assertTrue(millis < 4_000, String.join(" ", command) + " took " + millis + " ms: " + c.err());
        }
    }

    /** Writes two bytes that are not UTF-8 {@code at} bytes into the data region of the map {@code file}. */
    static void writeNotUtf8(Path file, long at) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer offset = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(offset, Header.DATA_OFFSET_OFFSET);
            ch.write(ByteBuffer.wrap(new byte[]{(byte) 0xff, (byte) 0xfe}), offset.flip().getLong() + at);
        }
    }

    /** top draws on a terminal: with its output a pipe it says what to use instead, at once. */
    @Test
    void topRefusesAnOutputThatIsNotATerminal() throws Exception {
        Cli.in(dir, "create", "m", "--value", "i64", "--entries", "2").ok();
        Process p = Jvm.main(Main.class).args("top", "--dir=" + dir, "m").start().process();
        try {
            assertTrue(p.waitFor(10, TimeUnit.SECONDS), "top ends");
            assertEquals("", new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            assertEquals("mapsync: top needs a terminal; use dump or watch in a pipeline\n",
                    new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            assertEquals(1, p.exitValue());
        } finally {
            p.destroyForcibly();
        }
    }

    /** top shows an entry whose bytes are not a value as such, without a rate, and goes on with the others. */
    @Test
    void topShowsAnEntryThatIsNotAValueAndGoesOn() throws IOException {
        Cli.in(dir, "create", "u", "--value", "s:char[4],x:i32", "--entries", "2").ok();
        Cli.in(dir, "set", "u", "1", "s=ok,x=5").ok();
        writeNotUtf8(dir.resolve("u"), 0);
        Cli.in(dir, "create", "h", "--type", "hash", "--key", "u32", "--value", "s:char[4],x:i32", "--entries", "16")
                .ok();
        Cli.in(dir, "set", "h", "1", "s=ZZZZ").ok();
        spoil(dir.resolve("h"), "ZZZZ");
        Cli.in(dir, "set", "h", "2", "s=ok,x=5").ok();
        String unreadable = "   0/1     <not a value: field 's': char[4] field holds bytes that are not UTF-8>";
        try (SharedArray<Object> a = SharedArray.open(MapSpec.existing("u").dir(dir));
             SharedHashMap<Object, Object> h = SharedHashMap.open(MapSpec.existing("h").dir(dir))) {
            for (TopSource source : List.of(TopSource.of(a, 0, 1), TopSource.of(h))) {
                TopView view = new TopView(source, "m");
                view.sample();
                view.sample();
                List<String> screen = view.render(12, 120);
                List<String> entries = screen.subList(4, 6).stream().map(l -> l.substring(8)).sorted().toList();
                assertEquals(List.of(" ".repeat(16) + unreadable, "            0.0    0/1     s=ok,x=5"), entries,
                        String.join("\n", screen));
            }
        }
    }

    @Test
    void aHashValueWhoseBytesAreNotAValueIsACorruptMapToEveryCommandThatReadsIt() throws IOException {
        Cli.in(dir, "create", "h", "--type", "hash", "--key", "u32", "--value", "s:char[4],x:i32", "--entries", "16")
                .ok();
        Cli.in(dir, "set", "h", "1", "s=ZZZZ").ok();
        spoil(dir.resolve("h"), "ZZZZ");
        String line = "mapsync: map 'h' is corrupt: the value of key 1 is not a value of its schema (field 's': char[4]"
                + " field holds bytes that are not UTF-8)\n";
        for (String[] command : List.of(new String[]{"get", "h", "1"}, new String[]{"set", "h", "1", "x=1"},
                new String[]{"cas", "h", "1", "0", "1", "--field", "x"},
                new String[]{"wait", "h", "1", "--until", "x=1", "--timeout", "1s"})) {
            Cli c = Cli.in(dir, command);
            assertEquals(3, c.code(), String.join(" ", command) + ": " + c.err());
            assertEquals(line, c.err(), String.join(" ", command));
        }
        Cli.in(dir, "set", "h", "2", "x=5").ok(); // the other keys are written and read as before
        assertEquals("s=\"\",x=5\n", Cli.in(dir, "get", "h", "2").ok().out());
    }

    @Test
    void aCorruptValueIsRepairedByAWholeValueOrRemoved() throws IOException {
        Cli.in(dir, "create", "h", "--type", "hash", "--key", "u32", "--value", "s:char[4],x:i32", "--entries", "16")
                .ok();
        Cli.in(dir, "create", "a", "--type", "array", "--value", "s:char[4],x:i32", "--entries", "2").ok();
        Cli.in(dir, "set", "h", "1", "s=ZZZZ").ok();
        Cli.in(dir, "set", "h", "2", "s=keep").ok();
        Cli.in(dir, "set", "a", "1", "s=ZZZZ").ok();
        spoil(dir.resolve("h"), "ZZZZ");
        spoil(dir.resolve("a"), "ZZZZ");
        // a whole value does not need the stored one: it replaces it
        Cli.in(dir, "set", "h", "1", "s=ok,x=7").ok();
        assertEquals("s=ok,x=7\n", Cli.in(dir, "get", "h", "1").ok().out());
        Cli.in(dir, "set", "a", "1", "x=8,s=ok").ok();
        assertEquals("s=ok,x=8\n", Cli.in(dir, "get", "a", "1").ok().out());
        // the key of a corrupt value is removed without its value being read
        Cli.in(dir, "set", "h", "1", "s=ZZZZ").ok();
        spoil(dir.resolve("h"), "ZZZZ");
        Cli removed = Cli.in(dir, "rm-key", "h", "1");
        assertEquals(0, removed.code(), removed.err());
        assertEquals(2, Cli.in(dir, "get", "h", "1").code());
        assertEquals("s=keep,x=0\n", Cli.in(dir, "get", "h", "2").ok().out());
    }

    /** Makes the first {@code text} in {@code file} begin with bytes that are not UTF-8. */
    static void spoil(Path file, String text) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        int at = new String(bytes, StandardCharsets.ISO_8859_1).indexOf(text);
        if (at >= 0) {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(new byte[]{(byte) 0xff, (byte) 0xfe}), at);
            }
            return;
        }
        throw new AssertionError("no " + text + " in " + file);
    }
}
