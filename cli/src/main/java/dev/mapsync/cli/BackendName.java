package dev.mapsync.cli;

import dev.mapsync.Backend;

/** The {@code --backend} option: {@code shm} or {@code bpf}. */
final class BackendName {
    private BackendName() {}

    /** The backend {@code text} names, in any case. */
    static Backend parse(String text) {
        for (Backend b : Backend.values()) {
            if (b.name().equalsIgnoreCase(text.strip())) return b;
        }
        throw new IllegalArgumentException("unknown backend '" + text + "' (shm or bpf)");
    }
}
