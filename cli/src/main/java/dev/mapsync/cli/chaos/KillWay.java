package dev.mapsync.cli.chaos;

/** How a worker was killed. */
enum KillWay {
    /** SIGKILL at a random moment of its work (or of its start: opening its maps, recovering its slot). */
    RANDOM("at a random moment"),
    /** Asked to stall inside an operation (holding its locks, a claim or its arrival), then killed there. */
    STALLED("inside an operation"),
    /** Started with one of the library's pause hooks, which stopped it inside a write (odd sequence word, open hash
     *  window, or ring reserve lock), then killed there. */
    MID_WRITE("mid-write"),
    /** A barrier party killed while it waited alone at the barrier, the others at work ({@link Phases}). */
    WAITING("waiting alone at the barrier");

    final String text;

    KillWay(String text) {
        this.text = text;
    }
}
