package dev.mapsync.testkit;

import dev.mapsync.ArraySpec;
import dev.mapsync.Backend;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;

import java.nio.file.Path;

/**
 * A child that opens the accounts map by name and checks every entry; exits 0 if all match, 1 otherwise.
 * Arguments: dir name backend entries.
 */
public final class AccountReader {
    public static void main(String[] args) {
        ArraySpec<Accounts.Account> spec = Accounts.spec(Path.of(args[0]), args[1], Integer.parseInt(args[3]))
                .backend(Backend.valueOf(args[2]));
        int wrong = 0;
        try (SharedArray<Accounts.Account> map = SharedArray.openReadOnly(spec)) {
            for (int i = 0; i < map.length(); i++) {
                if (!map.get(i).equals(Accounts.expected(i))) wrong++;
            }
        }
        System.out.println("wrong=" + wrong);
        System.exit(wrong == 0 ? 0 : 1);
    }
}
