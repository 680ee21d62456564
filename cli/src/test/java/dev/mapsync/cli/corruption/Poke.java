package dev.mapsync.cli.corruption;

import dev.mapsync.testkit.Peer;

import java.nio.file.Path;

/** One little-endian word written into a map's file at a FORMAT.md offset, as a hostile or broken peer would. */
record Poke(long offset, int width, long value) {
    Poke {
        if (width != 4 && width != 8) throw new IllegalArgumentException("width " + width);
    }

    void apply(Path file) {
        if (width == 4) Peer.putInt(file, offset, (int) value);
        else Peer.putLong(file, offset, value);
    }

    /** {@code offset:width:value}, as a case file holds it. */
    String text() {
        return offset + ":" + width + ":" + value;
    }

    static Poke parse(String text) {
        String[] p = text.split(":");
        return new Poke(Long.parseLong(p[0]), Integer.parseInt(p[1]), Long.parseLong(p[2]));
    }
}
