package dev.mapsync.bench;

/** The flags every benchmark JVM runs with. */
final class JvmFlags {
    private JvmFlags() {}

    /** mapsync calls native code through FFM. */
    static final String NATIVE = "--enable-native-access=ALL-UNNAMED";
    /** Agrona 2 reaches for jdk.internal.misc.Unsafe, as its documentation says to allow. */
    static final String AGRONA = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";
}
