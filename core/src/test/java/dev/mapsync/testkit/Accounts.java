package dev.mapsync.testkit;

import dev.mapsync.ArraySpec;
import dev.mapsync.Chars;
import dev.mapsync.MapSpec;

import java.nio.file.Path;

/** The record-typed map the tests share between processes. */
public final class Accounts {
    private Accounts() {}

    /** {@code struct { int64_t id; int64_t balance; char owner[16]; }} */
    public record Account(long id, long balance, @Chars(16) String owner) {}

    public static ArraySpec<Account> spec(Path dir, String name, int entries) {
        return MapSpec.array(name, Account.class, entries).dir(dir);
    }

    public static Account expected(int i) {
        return new Account(i, i * 100L, "owner-" + i);
    }
}
