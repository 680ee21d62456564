package dev.mapsync.testkit;

import dev.mapsync.launch.ChildJvm;
import dev.mapsync.launch.Jvm;

/**
 * The tests' child JVMs: a main class from the test class path in a JVM of its own (cross-process behaviour is only
 * proven by separate processes), with a small heap and the serial collector so that many can run at once, its output
 * in a temporary file (a chatty child never blocks on a full pipe) that {@link ChildJvm#close()} deletes.
 * Thread-safe (it keeps no state); starting throws as {@link Jvm#start()} does.
 */
public final class TestJvm {
    private TestJvm() {}

    /** A child running {@code mainClass}, to describe further (JVM options, arguments) and start. */
    public static Jvm of(Class<?> mainClass) {
        return Jvm.main(mainClass).jvmOptions("-XX:+UseSerialGC", "-Xmx128m").outputToTempFile("mapsync-child");
    }

    /** Starts {@code mainClass} with {@code args}. */
    public static ChildJvm start(Class<?> mainClass, String... args) {
        return of(mainClass).args(args).start();
    }
}
