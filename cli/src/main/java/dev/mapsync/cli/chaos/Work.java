package dev.mapsync.cli.chaos;

/** What a worker process of one kind does, one operation at a time, between the pauses of the soak. */
interface Work extends AutoCloseable {
    /**
     * Finishes what the previous process in this slot left (it was killed): runs once, before the first operation,
     * so that a restart takes over exactly where the slot stopped.
     */
    void recover();

    /** One operation; with {@code stall}, stops inside it (holding what it holds) until the process is killed. */
    void once(boolean stall);

    @Override
    void close();
}
