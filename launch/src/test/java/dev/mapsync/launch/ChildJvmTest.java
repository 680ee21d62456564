package dev.mapsync.launch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChildJvmTest {
    /** Prints its first argument, and "err" on stderr; exits with its second argument, or sleeps if it is "sleep". */
    public static final class Echo {
        public static void main(String[] args) throws InterruptedException {
            System.out.println(args[0]);
            System.out.flush();
            System.err.println("err");
            System.err.flush();
            if (args[1].equals("sleep")) Thread.sleep(Long.MAX_VALUE);
            System.exit(Integer.parseInt(args[1]));
        }
    }

    @Test
    void aChildsLinesAndExitCodeAreCapturedAndItsTemporaryOutputIsDeleted() {
        Path output;
        try (ChildJvm child = Jvm.main(Echo.class).args("ready", "3").outputToTempFile("launch-test").start()) {
            output = child.outputFile();
            child.awaitLine("ready", 60);
            assertEquals(3, child.await(60));
            assertEquals("ready\nerr\n", child.output(), "stderr goes into the same file");
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> child.awaitSuccess(60));
            assertEquals("child " + child.pid() + " exited with 3; output:\nready\nerr\n", e.getMessage());
        }
        assertFalse(Files.exists(output));
    }

    @Test
    void aChildThatOutlivesItsTimeoutIsKilled() {
        try (ChildJvm child = Jvm.main(Echo.class).args("up", "sleep").outputToTempFile("launch-test").start()) {
            child.awaitLine("up", 60);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> child.await(1));
            assertTrue(e.getMessage().startsWith("child " + child.pid() + " did not finish in 1 s; output:\nup\n"),
                    e.getMessage());
            assertTrue(child.process().onExit().join().exitValue() > 128, "ended by a signal");
        }
    }

    @Test
    void aChildThatExitsBeforePrintingTheAwaitedLineFailsTheWait() {
        try (ChildJvm child = Jvm.main(Echo.class).args("other", "0").outputToTempFile("launch-test").start()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> child.awaitLine("ready", 60));
            assertTrue(e.getMessage().startsWith("child exited before printing 'ready':\nother\n"), e.getMessage());
        }
    }

    @Test
    void outputIntoAGivenFileStaysAndPipesCarryWhatIsNotRedirected(@TempDir Path dir) throws IOException {
        Path log = dir.resolve("child.log");
        try (ChildJvm child = Jvm.main(Echo.class).args("kept", "0").output(log).start()) {
            child.awaitSuccess(60);
        }
        assertEquals("kept\nerr\n", Files.readString(log));

        try (ChildJvm child = Jvm.main(Echo.class).args("piped", "0").stderr(Redirect.DISCARD).start()) {
            byte[] out = child.process().getInputStream().readAllBytes();
            assertEquals("piped\n", new String(out, StandardCharsets.UTF_8));
            child.awaitSuccess(60);
            assertThrows(IllegalStateException.class, child::output);
        }
    }

    @Test
    void theCommandLineHasEveryNamedPartInItsPlace() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        assertEquals(List.of("setpriv", "--reuid=1", java, "--enable-native-access=ALL-UNNAMED", "-Xint", "-Da=b",
                        "-cp", "x.jar:y", Echo.class.getName(), "one", "two"),
                Jvm.main(Echo.class).prefix(List.of("setpriv", "--reuid=1")).jvmOptions("-Xint").args("one")
                        .jvmOptions(List.of("-Da=b")).classPath("x.jar:y").args(List.of("two")).command());
        assertEquals(List.of(java, "-cp", System.getProperty("java.class.path"), "some.Main"),
                Jvm.main("some.Main").nativeAccess(false).command());
        String pid = Long.toString(ProcessHandle.current().pid());
        assertEquals(List.of(java, "-cp", "x.jar", ParentWatch.class.getName(), pid, "some.Main", "one"),
                Jvm.main("some.Main").nativeAccess(false).classPath("x.jar").args("one").endWithParent().command());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Jvm.module("m", "p.Main").endWithParent());
        assertEquals("endWithParent runs a main class from the class path, not m/p.Main", e.getMessage());
    }
}
