package dev.mapsync.cli;

import dev.mapsync.Codec;
import dev.mapsync.CorruptMapException;
import dev.mapsync.InvalidValueException;
import dev.mapsync.SharedArray;
import dev.mapsync.SharedHashMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.lang.foreign.MemorySegment;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

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
        // a whole value is written without reading the stored one, which may be a peer's garbage it repairs. Fields
        // left out keep their stored values: the map decodes the stored value, calls the function, and encodes what
        // it returns; the function parses and encodes the new value itself, and says its own failures apart, so
        // that any other is the stored value's (corrupt data; a key is checked first)
        withKeyed(false, array -> {
            var codec = array.codec();
            int index = index(entry);
            Optional<Object> whole = ValueText.parseWhole(codec.schema(), value);
            if (whole.isPresent()) {
                array.set(index, whole.get());
                return;
            }
            write(() -> array.update(index, current -> checked(codec, () -> ValueText.parse(codec.schema(), value,
                    current))), e -> notAValue(array.name(), "entry " + index, e));
        }, hash -> {
            var codec = hash.valueCodec();
            Object key = key(hash, entry);
            Optional<Object> whole = ValueText.parseWhole(codec.schema(), value);
            if (whole.isPresent()) {
                hash.set(key, whole.get());
                return;
            }
            write(() -> hash.compute(key, (k, current) -> checked(codec, () -> ValueText.parse(codec.schema(), value,
                    current != null ? current : ValueText.zero(codec.schema())))),
                    e -> notAValueOfKey(hash.name(), entry, e));
        });
    }

    /** Runs {@code write}: the command's bad value as itself, any other value that is no value as {@code stored}. */
    private static void write(Runnable write, Function<InvalidValueException, CorruptMapException> stored) {
        try {
            write.run();
        } catch (BadArgument e) {
            throw e.getCause();
        } catch (InvalidValueException e) {
            throw stored.apply(e);
        }
    }

    /** The command's value, parsed by {@code parse} and encoded once as the map will, or {@link BadArgument}. */
    private static Object checked(Codec<Object> codec, Supplier<Object> parse) {
        try {
            Object v = parse.get();
            codec.write(MemorySegment.ofArray(new byte[codec.size()]), 0, v);
            return v;
        } catch (InvalidValueException e) {
            throw new BadArgument(e);
        }
    }

    /** The command's own value is no value of the schema: a usage error, which the map passes through. */
    private static final class BadArgument extends RuntimeException {
        BadArgument(InvalidValueException cause) {
            super(cause);
        }

        @Override
        public synchronized InvalidValueException getCause() {
            return (InvalidValueException) super.getCause();
        }
    }
}
