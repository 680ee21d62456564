package dev.mapsync.cli;

import dev.mapsync.InvalidValueException;
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
        // the map reads the stored value before it calls the function, and writes the new one after: a value that is
        // not valid before the call is the map's (corrupt data), after it the command's (a key is checked first)
        boolean[] called = {false};
        withKeyed(false, array -> {
            var schema = array.codec().schema();
            int index = index(entry);
            try {
                array.update(index, current -> {
                    called[0] = true;
                    return ValueText.parse(schema, value, current);
                });
            } catch (InvalidValueException e) {
                throw called[0] ? e : notAValue(array.name(), "entry " + index, e);
            }
        }, hash -> {
            var schema = hash.valueCodec().schema();
            Object key = key(hash, entry);
            try {
                hash.compute(key, (k, current) -> {
                    called[0] = true;
                    return ValueText.parse(schema, value, current != null ? current : ValueText.zero(schema));
                });
            } catch (InvalidValueException e) {
                throw called[0] ? e : notAValue(hash.name(), "the value of key " + entry, e);
            }
        });
    }
}
