package dev.mapsync.testkit;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A process that is not dumpable, as one started with file capabilities ({@code setcap cap_bpf+ep}) or by a set-id
 * program is: run as another user, it may not read its own {@code /proc/self/auxv}. Prints the page size mapsync
 * finds, then the value of entry 0 of the i64 array map given (arguments: dir name).
 */
public final class NotDumpable {
    public static void main(String[] args) throws Throwable {
        Linker linker = Linker.nativeLinker();
        MethodHandle prctl = linker.downcallHandle(linker.defaultLookup().find("prctl").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG), Linker.Option.firstVariadicArg(1));
        int pr = (int) prctl.invokeExact(4, 0L); // PR_SET_DUMPABLE, 0
        if (pr != 0) throw new IllegalStateException("prctl(PR_SET_DUMPABLE, 0) returned " + pr);
        System.out.println("page size " + dev.mapsync.internal.sys.Arch.PAGE_SIZE);
        try (var map = dev.mapsync.SharedArray.openReadOnly(dev.mapsync.MapSpec.existing(args[1])
                .dir(java.nio.file.Path.of(args[0])))) {
            System.out.println("entry 0 " + map.get(0));
        }
    }
}
