package dev.mapsync.bench;

import java.util.List;

/** The flags every benchmark JVM runs with. */
public final class JvmFlags {
    private JvmFlags() {}

    /** mapsync calls native code through FFM. */
    public static final String NATIVE = "--enable-native-access=ALL-UNNAMED";
    /** Agrona 2 reaches for jdk.internal.misc.Unsafe, as its documentation says to allow. */
    public static final String AGRONA = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";

    /**
     * The flags Chronicle Software documents for running Chronicle libraries on Java 17 and later (their "Chronicle
     * support for Java 17" page, repeated in the READMEs of projects that embed Chronicle Map), plus what Java 24+
     * asks of libraries that use {@code sun.misc.Unsafe} memory access and native code.
     */
    public static final List<String> CHRONICLE = List.of(
            "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow");
}
