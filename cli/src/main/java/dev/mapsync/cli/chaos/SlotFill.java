package dev.mapsync.cli.chaos;

import dev.mapsync.internal.sys.LibC;
import dev.mapsync.internal.lock.ProcessSlots;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes every restart take the process slot of a killed process. A read-write handle claims one of a map's 1024
 * process slots by an open-file-description lock on one byte of the map's liveness file (docs/FORMAT.md §4.1),
 * starting from a slot its pid picks, so a restart would seldom land in the slot its predecessor died in, and the
 * path that matters would go untested: a slot whose generation moves on, lock words and seats that still name the
 * dead token, a new main thread with the dead one's thread id. Once every worker has opened its maps, this takes the
 * lock of every free slot of every map, through a descriptor of its own: from then on the only free slots are those
 * of processes that die, and a restart can only claim one of them. (A handle that finds no free slot fails, so a slot
 * a dead process kept would show as a worker that cannot start.)
 */
final class SlotFill implements AutoCloseable {
    private static final int SLOTS = 1024;

    private final List<Integer> fds = new ArrayList<>();
    private int held;

    /** Holds every free slot of each map named (the liveness files {@code NAME.live} in the soak's folder). */
    static SlotFill of(Setup setup, List<String> maps) {
        SlotFill fill = new SlotFill();
        try {
            for (String name : maps) {
                Path live = setup.dir().resolve(name + ".live");
                int fd = LibC.open(live.toString(), LibC.O_RDWR | LibC.O_CLOEXEC | LibC.O_NOFOLLOW, 0);
                fill.fds.add(fd);
                for (int s = 0; s < SLOTS; s++) {
                    if (LibC.ofdLock(fd, LibC.F_OFD_SETLK, LibC.F_WRLCK, ProcessSlots.OFD_BASE + s)) fill.held++;
                }
            }
            return fill;
        } catch (RuntimeException e) {
            fill.close();
            throw e;
        }
    }

    /** The slots held, over all the maps. */
    int held() {
        return held;
    }

    /** Gives every slot back. */
    @Override
    public void close() {
        for (int fd : fds) LibC.close(fd);
        fds.clear();
    }
}
