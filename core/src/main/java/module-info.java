/**
 * mapsync: maps in shared memory between Linux processes. Only {@code dev.mapsync} is exported; the library calls
 * the C library through the Foreign Function and Memory API, so run with {@code --enable-native-access=dev.mapsync}.
 * A record stored in a map must be in a package that its module opens to this one
 * ({@code opens com.example.model to dev.mapsync;}). It reports to the JDK Flight Recorder ({@code dev.mapsync.*}
 * events), which costs nothing when no recording runs.
 */
module dev.mapsync {
    requires java.management;
    requires jdk.jfr;

    exports dev.mapsync;
}
