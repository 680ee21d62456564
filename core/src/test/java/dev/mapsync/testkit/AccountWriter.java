package dev.mapsync.testkit;

import dev.mapsync.ArraySpec;
import dev.mapsync.Backend;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;

import java.nio.file.Path;

/** A child that writes account i = (i, i * 100, "owner-i") for every entry. Arguments: dir name backend entries. */
public final class AccountWriter {
    public static void main(String[] args) {
        ArraySpec<Accounts.Account> spec = Accounts.spec(Path.of(args[0]), args[1], Integer.parseInt(args[3]))
                .backend(Backend.valueOf(args[2]));
        try (SharedArray<Accounts.Account> map = SharedArray.create(spec)) {
            for (int i = 0; i < map.length(); i++) map.set(i, Accounts.expected(i));
        }
        System.out.println("written");
    }
}
