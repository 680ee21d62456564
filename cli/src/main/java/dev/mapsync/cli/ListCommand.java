package dev.mapsync.cli;

import dev.mapsync.MapInfo;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedMaps;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.List;
import java.util.Locale;

@Command(name = "list", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, description = {"List the maps in the folder (shm maps and bpf maps' sidecars),", "or with --kernel the kernel maps pinned in a bpf file system."})
final class ListCommand implements Runnable {
    @ParentCommand
    Main root;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--json", description = "Print one JSON array of map descriptions.")
    boolean json;

    @Option(names = "--kernel", description = {"List the kernel maps pinned in a bpf file system instead, whoever made them:"
            + " those under --dir (default /sys/fs/bpf), recursively, with their type, key and value sizes, entries, flags,"
            + " whether they have BTF, and how mapsync opens them (mmap, syscall, or no; with the options a map without"
            + " BTF needs)."})
    boolean kernel;

    @Override
    public void run() {
        if (kernel) {
            listKernel();
            return;
        }
        List<MapInfo> maps = SharedMaps.list(root.dir != null ? root.dir : MapSpec.defaultDir());
        var out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.of(maps.stream().map(InfoView::json).toList()));
            return;
        }
        if (maps.isEmpty()) return;
        out.printf("%-24s %-7s %-6s %9s  %s%n", "NAME", "BACKEND", "TYPE", "ENTRIES", "VALUE");
        for (MapInfo m : maps) {
            String name = (m.backend() == dev.mapsync.Backend.BPF ? "bpf:" : "") + m.name();
            out.printf("%-24s %-7s %-6s %9d  %s%n", name, m.backend().name().toLowerCase(Locale.ROOT), m.type(),
                    m.entries(), InfoView.valueColumn(m));
        }
    }

    private void listKernel() {
        java.nio.file.Path dir = root.dir != null ? root.dir : java.nio.file.Path.of("/sys/fs/bpf");
        if (!KernelPins.isPinPath(dir) || !java.nio.file.Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + " is not a folder in a bpf file system (mount -t bpf bpf /sys/fs/bpf)");
        }
        List<KernelPins.Pinned> maps = KernelPins.list(dir.toAbsolutePath().normalize());
        var out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.of(maps.stream().map(KernelPinView::json).toList()));
        } else if (!maps.isEmpty()) {
            out.print(KernelPinView.table(maps));
        }
    }
}
