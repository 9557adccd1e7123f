package dev.raft.examples.kv;

import io.aeron.exceptions.DriverTimeoutException;
import org.agrona.ErrorHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The error handler of the example's own Aeron clients (the server's client service, {@link KvClient}). Aeron's
 * default handler prints a banner and exits the JVM when the media driver stops answering; the driver these clients
 * use stops when its node fails or closes, and the server then reports the cause in one line (or the client call
 * ends in an outcome). So a driver timeout is logged at DEBUG, other errors at WARN, and nothing exits.
 */
final class AeronErrors {
    private AeronErrors() {
    }

    /** The logger, created on the first error: a client call that meets none never initialises SLF4J. */
    private static final class Log {
        static final Logger LOG = LoggerFactory.getLogger(AeronErrors.class);
    }

    /** A handler that never exits the JVM, naming {@code who} in what it logs. */
    static ErrorHandler logOnly(String who) {
        return t -> {
            if (t instanceof DriverTimeoutException) {
                Log.LOG.debug("{}: the media driver stopped answering: {}", who, t.getMessage());
            } else {
                Log.LOG.warn("{}: Aeron client error: {}", who, t.toString());
            }
        };
    }
}
