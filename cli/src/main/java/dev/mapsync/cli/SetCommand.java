package dev.mapsync.cli;

import dev.mapsync.SharedArray;
import dev.mapsync.SharedHashMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "set", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Write one entry, under its lock. For records, fields not named keep their values (a new hash map key's are 0).",
        footer = {"", "Examples:", "  mapsync set hits 3 42", "  mapsync set accounts 7 id=7,balance=100,owner=ada",
                "  mapsync set accounts 7 'owner=\"Ada, Countess\"'", "  mapsync set shapes 0 pos.x=1.5,tags=[1,2,3]",
                "  mapsync set sessions 4b1d9c user=42,expires=1767225600   # a hash map: inserts or updates the key"})
final class SetCommand extends SchemaMapCommand implements Runnable {
    @Parameters(index = "1", paramLabel = "INDEX", description = "An array's index, or a hash map's key (in the text form values have).")
    String entry;

    @Parameters(index = "2", paramLabel = "VALUE", description = "A value, or field=value,... for records.")
    String value;

    @Override
    public void run() {
        withKeyed(false, array -> {
            var schema = array.codec().schema();
            array.update(index(entry), current -> ValueText.parse(schema, value, current));
        }, hash -> {
            var schema = hash.valueCodec().schema();
            hash.compute(key(hash, entry), (k, current) ->
                    ValueText.parse(schema, value, current != null ? current : ValueText.zero(schema)));
        });
    }
}
