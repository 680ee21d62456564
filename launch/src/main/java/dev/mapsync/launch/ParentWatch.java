package dev.mapsync.launch;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The main class of a child started with {@link Jvm#endWithParent()}: {@code ParentWatch PID CLASS ARGS...} runs
 * {@code CLASS}'s {@code public static void main(String[])} with {@code ARGS} on this thread, while a daemon thread
 * looks every {@value #LOOK_MILLIS} ms whether this process's parent is still {@code PID}. When it is not (the parent
 * died, and this process was adopted), it prints one line on stderr and halts this process with status 1, without
 * shutdown hooks: one that waited could keep it alive, and the kernel releases its maps and locks anyway.
 *
 * <p>Why: a benchmark's worker spinning at a start line, or a soak's worker waiting for its next round, waits for
 * ever once the process that started it is killed (by {@code timeout}, say); nothing else would end it. The parent,
 * not the pid, is watched: a process that died before the child first looked has already been replaced as its parent,
 * and a pid can be reused. The parent is read from {@code /proc/self/stat}, which every process may read.
 */
public final class ParentWatch {
    static final long LOOK_MILLIS = 100;

    private ParentWatch() {}

    public static void main(String[] args) throws Throwable {
        long parent = Long.parseLong(args[0]);
        String mainClass = args[1];
        Method main = Class.forName(mainClass, false, ClassLoader.getSystemClassLoader())
                .getMethod("main", String[].class);
        main.setAccessible(true); // as the java launcher, which runs a public main of a class that is not public
        MethodHandle handle = MethodHandles.lookup().unreflect(main);
        if (parentPid(parent) != parent) gone(parent, mainClass);
        Thread.ofPlatform().daemon().name("mapsync-parent-watch").start(() -> {
            while (parentPid(parent) == parent) {
                try {
                    Thread.sleep(LOOK_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
            }
            gone(parent, mainClass);
        });
        handle.invokeExact(Arrays.copyOfRange(args, 2, args.length));
    }

    /** This process's parent's pid, or {@code unknown} when it cannot be read (no descriptor left, say). */
    private static long parentPid(long unknown) {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            // pid (comm) state ppid ...: comm may hold spaces and parentheses, so count from the last ')'
            String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ", 3);
            return Long.parseLong(after[1]);
        } catch (IOException | RuntimeException e) {
            return unknown;
        }
    }

    private static void gone(long parent, String mainClass) {
        System.err.println("mapsync: the process that started this one (pid " + parent + ") is gone; " + mainClass
                + " ends");
        System.err.flush();
        Runtime.getRuntime().halt(1);
    }
}
