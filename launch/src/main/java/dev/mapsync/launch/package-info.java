/**
 * Starts child JVMs: the one place where mapsync builds a {@code java} command line for another process, used by
 * the tests (whose cross-process behaviour is only proven by separate processes), by the benchmarks' other
 * processes and by the {@code mapsync demo} and {@code mapsync chaos} workers.
 *
 * <p>{@link dev.mapsync.launch.Jvm} describes a child by name (main class, JVM options, arguments, class path,
 * native access, where its output goes) and starts it; {@link dev.mapsync.launch.ChildJvm} is the started child.
 * {@link dev.mapsync.launch.ParentWatch} ends a child whose parent is gone (a killed benchmark driver's workers, say).
 * Depends on the JDK alone.
 *
 * <p>Thread safety: a {@code Jvm} is not thread-safe (it is described and started by one thread); a
 * {@code ChildJvm} is.
 */
package dev.mapsync.launch;
