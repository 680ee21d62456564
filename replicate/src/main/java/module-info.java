/**
 * Read replicas of mapsync maps on other hosts, over Aeron ({@link dev.mapsync.replicate}). Aeron and Agrona are
 * automatic modules; Agrona reads memory through {@code jdk.internal.misc.Unsafe}, so run with
 * {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED} (or {@code =org.agrona} on the module path).
 */
module dev.mapsync.replicate {
    requires transitive dev.mapsync;
    requires io.aeron.client;
    requires io.aeron.driver;
    requires io.aeron.archive;
    requires org.agrona;
    requires static micrometer.core;

    exports dev.mapsync.replicate;
}
