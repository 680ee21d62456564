/**
 * Micrometer meters for the health of mapsync maps ({@link dev.mapsync.micrometer.MapSyncMetrics}). Micrometer's
 * jars are automatic modules (their manifests name them {@code micrometer.core}, {@code micrometer.commons},
 * {@code micrometer.observation}); this module requires {@code micrometer.core} transitively, since its binder is a
 * Micrometer {@code MeterBinder} that takes Micrometer {@code Tag}s.
 */
module dev.mapsync.micrometer {
    requires transitive dev.mapsync;
    requires transitive micrometer.core;

    exports dev.mapsync.micrometer;
}
