/**
 * The test hooks, all in {@link dev.mapsync.internal.hooks.TestHooks}: places in the protocols where a test can make
 * this process stop, so that it can kill it there, switched on by {@code mapsync.test.*} system properties and free
 * when they are unset. It depends on nothing of mapsync; the protocol packages from {@code store} up may call it,
 * and no other class reads a {@code mapsync.test.*} property.
 */
package dev.mapsync.internal.hooks;
