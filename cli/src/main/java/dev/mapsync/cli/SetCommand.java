package dev.mapsync.cli;

import dev.mapsync.SharedArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "set", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Write one entry, under its lock. For records, fields not named keep their values.",
        footer = {"", "Examples:", "  mapsync set hits 3 42", "  mapsync set accounts 7 id=7,balance=100,owner=ada",
                "  mapsync set accounts 7 'owner=\"Ada, Countess\"'", "  mapsync set shapes 0 pos.x=1.5,tags=[1,2,3]"})
final class SetCommand extends MapCommand implements Runnable {
    @Parameters(index = "1", paramLabel = "INDEX")
    int index;

    @Parameters(index = "2", paramLabel = "VALUE", description = "A value, or field=value,... for records.")
    String value;

    @Override
    public void run() {
        try (SharedArray<Object> array = open(false)) {
            var schema = array.codec().schema();
            array.update(index, current -> ValueText.parse(schema, value, current));
        }
    }
}
