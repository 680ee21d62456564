package dev.mapsync.cli;

import picocli.CommandLine.Option;

/**
 * A command that reads or writes values, and so also opens a kernel map pinned by another program: where that map has
 * no BTF, {@code --key} and {@code --value} say what its keys and values are.
 */
abstract class SchemaMapCommand extends MapCommand {
    @Option(names = "--key", paramLabel = "SCHEMA",
            description = "A pinned kernel map without BTF (a hash map): its key schema, as create takes it (u32, src:u32,port:u16).")
    String keySchema;

    @Option(names = "--value", paramLabel = "SCHEMA",
            description = "A pinned kernel map without BTF: its value schema, as create takes it (u64, id:i64,owner:char[16]).")
    String valueSchema;

    @Override
    SchemaOptions schemaOptions() {
        return new SchemaOptions(keySchema, valueSchema);
    }
}
