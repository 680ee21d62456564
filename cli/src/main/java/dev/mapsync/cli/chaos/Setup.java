package dev.mapsync.cli.chaos;

import dev.mapsync.Backend;

import java.nio.file.Path;
import java.util.List;

/**
 * Where a chaos soak keeps its maps and how many worker processes of each kind it runs: what the coordinator and
 * every worker process agree on (a worker gets it on its command line).
 *
 * @param dir       the soak's own folder: its shm maps, bpf sidecars, worker logs and any hs_err file
 * @param prefix    the start of every map name (unique per soak, since bpf pins share one folder)
 * @param backend   where the arrays, the hash map and the queue live (the control map and the barrier are shm)
 * @param processes worker processes of each kind
 */
public record Setup(Path dir, String prefix, Backend backend, int processes) {
    /** The most worker processes of one kind. */
    public static final int MAX_PROCESSES = 8;

    public Setup {
        if (processes < 2 || processes > MAX_PROCESSES) {
            throw new IllegalArgumentException("--processes must be 2.." + MAX_PROCESSES + ", not " + processes);
        }
    }

    /** The name of one of the soak's maps. */
    String name(String what) {
        return prefix + what;
    }

    /** Worker slots: {@code processes} of each kind, numbered kind by kind. */
    int slots() {
        return Kind.values().length * processes;
    }

    /** The arguments a worker process gets after its kind and slot. */
    List<String> args() {
        return List.of(dir.toString(), prefix, backend.name(), Integer.toString(processes));
    }

    /** The setup from {@link #args()}. */
    static Setup parse(List<String> args) {
        return new Setup(Path.of(args.get(0)), args.get(1), Backend.valueOf(args.get(2)), Integer.parseInt(args.get(3)));
    }
}
