package dev.mapsync.launch;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** A child started with {@link Jvm#endWithParent()} runs its main as usual and ends when its parent is gone. */
class ParentWatchTest {
    /** Waits for ever, as a worker waiting for a go that never comes. */
    public static final class Forever {
        public static void main(String[] args) throws InterruptedException {
            System.out.println("waiting");
            System.out.flush();
            new CountDownLatch(1).await();
        }
    }

    /** Starts {@link Forever} with {@code endWithParent}, prints its pid and waits to be killed. */
    public static final class Parent {
        public static void main(String[] args) throws Exception {
            try (ChildJvm child = Jvm.main(Forever.class).endWithParent().outputToTempFile("launch-test").start()) {
                child.awaitLine("waiting", 60);
                System.out.println(child.pid());
                System.out.flush();
                new CountDownLatch(1).await();
            }
        }
    }

    @Test
    void aChildWhoseParentIsKilledEnds() throws Exception {
        Process parent = Jvm.main(Parent.class).stderr(ProcessBuilder.Redirect.INHERIT).start().process();
        ProcessHandle child = null;
        try {
            String pid = new BufferedReader(new InputStreamReader(parent.getInputStream())).readLine();
            child = ProcessHandle.of(Long.parseLong(pid)).orElseThrow();
            parent.destroyForcibly();
            assertTrue(parent.waitFor(30, TimeUnit.SECONDS), "the parent did not end");
            try {
                child.onExit().get(30, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                fail("the child still runs, its parent gone");
            }
        } finally {
            parent.destroyForcibly();
            if (child != null) child.destroyForcibly();
        }
    }

    @Test
    void theMainRunsWithItsArgumentsAndItsExitStatus() {
        try (ChildJvm child = Jvm.main(ChildJvmTest.Echo.class).args("hello", "7").endWithParent()
                .outputToTempFile("launch-test").start()) {
            assertEquals(7, child.await(60));
            assertEquals("hello\nerr\n", child.output());
        }
    }

    @Test
    void anExceptionFromTheMainIsReportedAsWithoutTheWatch() {
        try (ChildJvm child = Jvm.main(ChildJvmTest.Echo.class).args("bad").endWithParent()
                .outputToTempFile("launch-test").start()) {
            assertEquals(1, child.await(60));
            assertTrue(child.output().startsWith("bad\nerr\nException in thread \"main\" "
                    + "java.lang.ArrayIndexOutOfBoundsException: Index 1 out of bounds for length 1\n"),
                    child.output());
        }
    }

    /** A main class that is not public, as the java launcher runs. */
    static final class NotPublic {
        public static void main(String[] args) {
            System.exit(args.length);
        }
    }

    @Test
    void theMainOfAClassThatIsNotPublicRuns() {
        try (ChildJvm child = Jvm.main(NotPublic.class).args("a", "b", "c").endWithParent().start()) {
            assertEquals(3, child.await(60));
        }
    }

    @Test
    void aChildWhoseParentIsGoneBeforeItStartsEndsAtOnce() {
        try (ChildJvm child = Jvm.main(ParentWatch.class).args("1", Forever.class.getName())
                .outputToTempFile("launch-test").start()) {
            assertEquals(1, child.await(60));
            assertEquals("mapsync: the process that started this one (pid 1) is gone; "
                    + Forever.class.getName() + " ends\n", child.output());
        }
    }
}
