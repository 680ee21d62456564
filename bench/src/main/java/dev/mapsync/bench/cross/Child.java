package dev.mapsync.bench.cross;

import dev.mapsync.bench.JvmFlags;
import dev.mapsync.launch.Jvm;

import java.lang.ProcessBuilder.Redirect;

/**
 * Starts the other process of a cross-process benchmark: the same classes, in a new JVM, its stdin and stdout piped
 * to this process, its stderr this process's. It ends when this process is gone ({@link Jvm#endWithParent()}): it
 * would otherwise wait for ever at a start line or for a peer.
 */
final class Child {
    private Child() {}

    static Process start(Class<?> main, String... args) {
        return jvm(main, args).stderr(Redirect.INHERIT).start().process();
    }

    /** {@link #start(Class, String...)} with more JVM options (after the usual ones). */
    static Process start(Class<?> main, java.util.List<String> jvmOptions, String... args) {
        return jvm(main, args).jvmOptions(jvmOptions).stderr(Redirect.INHERIT).start().process();
    }

    /** The command line that starts it, for a caller that starts it itself. */
    static java.util.List<String> command(Class<?> main, String... args) {
        return jvm(main, args).command();
    }

    private static Jvm jvm(Class<?> main, String... args) {
        return Jvm.main(main).jvmOptions(JvmFlags.AGRONA).args(args).endWithParent();
    }
}
