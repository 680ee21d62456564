package dev.mapsync.cli;

import dev.mapsync.MapType;
import dev.mapsync.SharedMaps;
import dev.mapsync.SharedHashMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "rm-key", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Remove keys from a hash map.", "Exits 2 if a key was absent (the others are still removed)."},
        footer = {"", "Examples:", "  mapsync rm-key sessions 4b1d9c 77e0aa", "  mapsync rm-key bpf:flows src=10,dst=11,port=443"})
final class RmKeyCommand extends SchemaMapCommand implements Callable<Integer> {
    @Parameters(index = "1..*", arity = "1..*", paramLabel = "KEY", description = "Keys, in the text form values have.")
    List<String> keys;

    @Option(names = {"-f", "--force"}, description = "Do not complain about keys that are absent.")
    boolean force;


    @Override
    public String worksOn() {
        return "hash maps";
    }

    @Override
    public Integer call() {
        // an array gets a word on what to do instead; any other type is refused as every command refuses it
        if (SharedMaps.info(existing()).type() == MapType.ARRAY) {
            throw new IllegalArgumentException("map '" + ref() + "' is an array map; rm-key removes the keys of hash maps"
                    + " (an array's entries always exist: set them instead)");
        }
        int status = ExitCodes.OK;
        try (SharedHashMap<Object, Object> hash = SharedHashMap.open(existing())) {
            // every key is read before the first is removed: a malformed one removes nothing
            List<Object> parsed = keys.stream().map(k -> key(hash, k)).toList();
            for (int i = 0; i < keys.size(); i++) {
                String k = keys.get(i);
                // delete does not read the value: a corrupt one is removed too
                if (!hash.delete(parsed.get(i)) && !force) {
                    spec.commandLine().getErr().println("mapsync: " + new KeyNotFoundException(hash.name(), k).getMessage());
                    status = ExitCodes.NOT_FOUND;
                }
            }
        }
        return status;
    }
}
