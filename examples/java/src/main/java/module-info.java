/**
 * An application module that uses mapsync: it requires the module {@code dev.mapsync}, and opens the package of the
 * records it stores in maps to it (mapsync reads and writes their components).
 */
module com.example.ledger {
    requires dev.mapsync;
    opens com.example.ledger.model to dev.mapsync;
}
