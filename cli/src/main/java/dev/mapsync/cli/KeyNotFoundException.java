package dev.mapsync.cli;

/** A hash map has no entry for the key a command named (exit code 2, as for a missing map). */
final class KeyNotFoundException extends RuntimeException {
    KeyNotFoundException(String map, String key) {
        super("map '" + map + "' has no key " + (key.isEmpty() ? "\"\" (the empty string)" : key));
    }
}
