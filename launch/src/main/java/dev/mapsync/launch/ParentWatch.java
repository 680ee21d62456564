package dev.mapsync.launch;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Arrays;

/**
 * The main class of a child started with {@link Jvm#endWithParent()}: {@code ParentWatch PID CLASS ARGS...} runs
 * {@code CLASS}'s {@code main} with {@code ARGS} on this thread, as if it were the main class, while a daemon thread
 * looks every {@value #LOOK_MILLIS} ms whether this process's parent is still {@code PID}. When it is not (the parent
 * died, and this process was adopted), it prints one line on stderr and ends this process with status 1.
 *
 * <p>Why: a benchmark's worker spinning at a start line, or a follower waiting for its leader, waits for ever once
 * the process that started it is killed (by {@code timeout}, say); nothing else would end it. The parent, not the
 * pid, is watched: a process that died before the child first looked has already been replaced as its parent, and a
 * pid can be reused.
 */
public final class ParentWatch {
    static final long LOOK_MILLIS = 100;

    private ParentWatch() {}

    public static void main(String[] args) throws Throwable {
        long parent = Long.parseLong(args[0]);
        String mainClass = args[1];
        MethodHandle main = MethodHandles.publicLookup().findStatic(
                Class.forName(mainClass, false, ClassLoader.getSystemClassLoader()), "main",
                MethodType.methodType(void.class, String[].class));
        if (!parentIs(parent)) gone(parent, mainClass);
        Thread.ofPlatform().daemon().name("mapsync-parent-watch").start(() -> {
            while (parentIs(parent)) {
                try {
                    Thread.sleep(LOOK_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
            }
            gone(parent, mainClass);
        });
        main.invokeExact(Arrays.copyOfRange(args, 2, args.length));
    }

    private static boolean parentIs(long pid) {
        return ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L) == pid;
    }

    private static void gone(long parent, String mainClass) {
        System.err.println("mapsync: the process that started this one (pid " + parent + ") is gone; " + mainClass
                + " ends");
        System.exit(1);
    }
}
