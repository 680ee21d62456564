package dev.mapsync.cli;

/** A command that works on one map: how its failures name the map, and which types of map it takes. */
interface MapArgument {
    /** The map as the command line gave it ({@code accounts}, {@code bpf:hits}, {@code ./maps/a}). */
    String mapArgument();

    /** The types of map the command works on, as the message for a map of another type says it. */
    String worksOn();
}
