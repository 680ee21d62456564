/**
 * Start-up: how long a whole process takes to run one command of {@code bin/mapsync} (against the JVM's own start,
 * {@code flock(1)} and {@code bpftool}), and how long a fresh JVM takes to make its first calls of the Java API.
 * Part of {@code mapsync bench}; {@code mapsync bench --startup} runs only these.
 */
package dev.mapsync.bench.startup;
