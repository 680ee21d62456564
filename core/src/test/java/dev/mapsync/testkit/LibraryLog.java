package dev.mapsync.testkit;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * What the library logs through {@code System.Logger} "dev.mapsync" during each test, captured at the JDK logging
 * handler it reaches by default. Use with {@code @RegisterExtension}.
 */
public final class LibraryLog implements BeforeEachCallback, AfterEachCallback {
    /** Held here: the JDK keeps loggers only weakly, and a collected logger would drop the handler. */
    private final Logger logger = Logger.getLogger("dev.mapsync");
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    /** The records logged so far in this test, oldest first. */
    public List<LogRecord> records() {
        return records;
    }

    /** Their messages, for assertion messages. */
    public List<String> messages() {
        return records.stream().map(LogRecord::getMessage).toList();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        records.clear();
        logger.addHandler(capture);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        logger.removeHandler(capture);
    }
}
