/**
 * The mapsync API: typed maps that processes on one Linux host share through {@code mmap}. A spec names a map and
 * says what it holds ({@link dev.mapsync.MapSpec} for arrays, rings, queues and barriers, {@link dev.mapsync.HashSpec}
 * for hash maps); a handle of its kind opens it ({@link dev.mapsync.SharedArray}, {@link dev.mapsync.SharedHashMap},
 * {@link dev.mapsync.SharedRing}, {@link dev.mapsync.SharedQueue}, {@link dev.mapsync.SharedBarrier}); values go
 * through a {@link dev.mapsync.Codec} of a {@link dev.mapsync.Schema}; changes arrive as events, and every failure is
 * a {@link dev.mapsync.MapSyncException}. This is the top layer: it may use every package of
 * {@code dev.mapsync.internal}, while internal code uses this package only for its exception and value types. The
 * bytes behind it are specified in docs/FORMAT.md.
 */
package dev.mapsync;
