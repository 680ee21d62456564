package com.example.ledger.model;

import dev.mapsync.Chars;

/** One account, stored in a map as the C struct {@code { int64_t id; int64_t balance; char owner[16]; }}. */
public record Account(long id, long balance, @Chars(16) String owner) {
    public Account withBalance(long newBalance) {
        return new Account(id, newBalance, owner);
    }
}
