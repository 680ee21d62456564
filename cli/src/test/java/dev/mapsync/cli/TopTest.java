package dev.mapsync.cli;

import dev.mapsync.testkit.Machine;
import dev.mapsync.Codec;
import dev.mapsync.LockGuard;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;
import dev.mapsync.launch.Jvm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code mapsync top} in a real terminal: tmux runs it, the test writes the map, reads the screen, resizes, quits. */
class TopTest {
    private Path dir;
    private final String session = "mapsync-top-" + ProcessHandle.current().pid();

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createTempDirectory(Path.of("/dev/shm"), "mapsync-top-");
    }

    @AfterEach
    void tearDown() throws Exception {
        tmux("kill-session", "-t", session);
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void showsTheFastestEntriesAndLockOwnersFollowsResizesAndRestoresTheTerminal() throws Exception {
        Machine.requireProgram("tmux", "tmux");
        try (SharedArray<Long> map = SharedArray.create(MapSpec.array("hits", Codec.i64(), 8).dir(dir))) {
            String top = String.join(" ", Jvm.main(Main.class)
                    .args("top", "--dir", dir.toString(), "--interval", "200ms", "hits").command());
            assertEquals(0, tmux("new-session", "-d", "-s", session, "-x", "100", "-y", "24",
                    top + "; echo EXITED; stty -a | tr ' ' '\\n' | grep -x -- '-\\?icanon'; sleep 60"));
            try (LockGuard held = map.lock(6)) {
                String screen = "";
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (System.nanoTime() < deadline && !firstEntryIs3(screen)) {
                    map.longs().getAndAdd(3, 50);
                    Thread.sleep(50);
                    screen = capture();
                }
                List<String> lines = screen.lines().toList();
                assertTrue(lines.getFirst().startsWith("mapsync top - hits (shm, 8 x i64)"), screen);
                int header = lines.indexOf(lines.stream().filter(l -> l.startsWith("KEY")).findFirst().orElseThrow());
                assertTrue(lines.get(header + 1).startsWith("3 "), "the changing entry comes first:\n" + screen);
                assertTrue(screen.contains("stripe 6") && screen.contains(" " + ProcessHandle.current().pid() + " alive"),
                        "the lock owner is shown:\n" + screen);
                assertTrue(lines.getLast().startsWith("q quits"), screen);

                tmux("resize-window", "-t", session, "-x", "50", "-y", "14");
                deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (System.nanoTime() < deadline && capture().lines().count() > 14) Thread.sleep(50);
                Thread.sleep(500);
                screen = capture();
                assertTrue(screen.lines().allMatch(l -> l.length() <= 50), screen);
                assertTrue(screen.lines().anyMatch(l -> l.startsWith("q quits")), screen);
            }
            tmux("send-keys", "-t", session, "q");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            String after = "";
            while (System.nanoTime() < deadline && !after.contains("icanon")) {
                Thread.sleep(100);
                after = capture();
            }
            List<String> lines = after.strip().lines().toList();
            assertEquals(List.of("EXITED", "icanon"), lines, "q quits and the terminal is back in canonical mode");
        }
    }

    private static boolean firstEntryIs3(String screen) {
        List<String> lines = screen.lines().toList();
        for (int i = 0; i + 1 < lines.size(); i++) {
            if (lines.get(i).startsWith("KEY")) return lines.get(i + 1).startsWith("3 ");
        }
        return false;
    }

    private String capture() throws Exception {
        Process p = new ProcessBuilder("tmux", "capture-pane", "-p", "-t", session).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out.stripTrailing();
    }

    private static int tmux(String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = "tmux";
        System.arraycopy(args, 0, command, 1, args.length);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }
}
