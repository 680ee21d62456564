package dev.mapsync.bench.cross;

import dev.mapsync.bench.JvmFlags;
import dev.mapsync.launch.Jvm;

import java.lang.ProcessBuilder.Redirect;

/**
 * Starts the other process of a cross-process benchmark: the same classes, in a new JVM, its stdin and stdout piped
 * to this process, its stderr this process's.
 */
final class Child {
    private Child() {}

    static Process start(Class<?> main, String... args) {
        return Jvm.main(main).jvmOptions(JvmFlags.AGRONA).args(args).stderr(Redirect.INHERIT).start().process();
    }
}
