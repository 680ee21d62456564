package dev.mapsync.cli;

import dev.mapsync.MapAccessDeniedException;
import dev.mapsync.MapNotFoundException;
import dev.mapsync.SharedMaps;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "rm", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, description = {"Delete maps. Processes that have one open keep using it until they close it.",
        "Exits 2 if a map did not exist, 4 if one may not be deleted by this user (the others are still deleted)."})
final class RmCommand implements Callable<Integer> {
    @ParentCommand
    Main root;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "MAP", arity = "1..*")
    List<String> maps;

    @Option(names = {"-f", "--force"}, description = "Do not complain about maps that do not exist.")
    boolean force;

    @Override
    public Integer call() {
        int status = ExitCodes.OK;
        for (String m : maps) {
            try {
                MapRef ref = MapRef.parse(m);
                if (ref.isForeign(root.dir)) {
                    KernelPins.unpin(ref.pin()); // no sidecar to remove, and no schema needed to remove a pin
                } else {
                    SharedMaps.delete(ref.existing(root.dir));
                }
            } catch (MapNotFoundException e) {
                if (!force) {
                    spec.commandLine().getErr().println("mapsync: " + e.getMessage());
                    status = Math.max(status, ExitCodes.NOT_FOUND);
                }
            } catch (MapAccessDeniedException e) {
                // another user's map in a sticky folder, or a folder this user may not write: say which, go on
                spec.commandLine().getErr().println("mapsync: " + e.getMessage());
                status = ExitCodes.PERMISSION;
            }
        }
        return status;
    }
}
