package dev.mapsync.cli;

/**
 * The schemas a command is given for a kernel map pinned by another program without BTF: {@code --key} (hash maps)
 * and {@code --value}, in the form {@code create} takes. Null where not given.
 */
record SchemaOptions(String key, String value) {
    static final SchemaOptions NONE = new SchemaOptions(null, null);

    boolean given() {
        return key != null || value != null;
    }
}
