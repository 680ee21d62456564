package dev.mapsync.bench.startup;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The floor under a command's start-up: a JVM started as {@code bin/mapsync} starts one (the same options, an AOT
 * cache of its own) that does nothing ({@code empty}), or makes the one downcall mapsync makes every system call with
 * ({@code syscall(2)}, here {@code getpid}) and exits ({@code downcall}). What a command costs beyond the second is
 * its own.
 */
public final class Floor {
    private Floor() {}

    public static void main(String[] args) throws Throwable {
        if (args.length > 0 && args[0].equals("downcall")) {
            Linker linker = Linker.nativeLinker();
            MethodHandle syscall = linker.downcallHandle(linker.defaultLookup().find("syscall").orElseThrow(),
                    FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG,
                            JAVA_LONG), Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(1));
            MemorySegment errno = Arena.ofAuto().allocate(Linker.Option.captureStateLayout());
            long getpid = System.getProperty("os.arch").equals("aarch64") ? 172 : 39;
            long pid = (long) syscall.invokeExact(errno, getpid, 0L, 0L, 0L, 0L, 0L, 0L);
            if (pid <= 0) throw new IllegalStateException("getpid returned " + pid);
        }
    }
}
