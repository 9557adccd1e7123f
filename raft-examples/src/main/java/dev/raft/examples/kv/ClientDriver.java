package dev.raft.examples.kv;

import dev.raft.transport.aeron.AeronDirectories;
import io.aeron.Aeron;
import io.aeron.CommonContext;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;

/**
 * How a {@link KvClient} reaches Aeron: a given {@link Aeron} instance (not closed by the client), a given driver
 * directory, a running raft server's driver on this machine ({@link AeronDirectories#findRunning}), or a small
 * embedded driver of its own; and the local address servers answer to.
 */
final class ClientDriver implements AutoCloseable {
    /**
     * A server's first answer arrives on a new image, which a poll sees only once the client's conductor thread has
     * taken it in: it wakes every 1 ms instead of Aeron's default 16 ms.
     */
    private static final long CONDUCTOR_IDLE_SLEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Aeron aeron;
    private final boolean ownsAeron;
    private final MediaDriver launched;

    private ClientDriver(Aeron aeron, boolean ownsAeron, MediaDriver launched) {
        this.aeron = aeron;
        this.ownsAeron = ownsAeron;
        this.launched = launched;
    }

    /**
     * @param given        an Aeron instance to use, or null
     * @param directory    a running driver's directory to use, or null
     * @param shareRunning without either: use a running raft server's driver on this machine if there is one
     */
    static ClientDriver open(Aeron given, String directory, boolean shareRunning) {
        if (given != null) {
            return new ClientDriver(given, false, null);
        }
        if (directory != null) {
            return new ClientDriver(connect(directory), true, null);
        }
        if (shareRunning) {
            final Aeron running = connectToRunningDriver();
            if (running != null) {
                return new ClientDriver(running, true, null);
            }
        }
        final MediaDriver launched = launchDriver();
        try {
            return new ClientDriver(connect(launched.aeronDirectoryName()), true, launched);
        } catch (RuntimeException e) {
            CloseHelper.quietClose(launched);
            throw e;
        }
    }

    /** The Aeron client. */
    Aeron aeron() {
        return aeron;
    }

    /** Whether the client's channels close the Aeron client with them (it is not the caller's). */
    boolean ownsAeron() {
        return ownsAeron;
    }

    /** The directory of the driver in use. */
    String directory() {
        return aeron.context().aeronDirectoryName();
    }

    /** Stops the embedded driver, if this started one (after the channels closed the Aeron client). */
    @Override
    public void close() {
        CloseHelper.quietClose(launched);
    }

    /** Closes what {@link #open} opened, when the client could not be built on it. */
    void abandon() {
        if (ownsAeron) {
            CloseHelper.quietClose(aeron);
        }
        close();
    }

    private static Aeron connect(String directory) {
        return Aeron.connect(new Aeron.Context().aeronDirectoryName(directory)
            .idleSleepDurationNs(CONDUCTOR_IDLE_SLEEP_NANOS)
            .errorHandler(AeronErrors.logOnly("raftkv client"))); // a call ends in an outcome, never in exit
    }

    /** An Aeron client of a local server's running driver, or null if there is none or it refuses the client. */
    private static Aeron connectToRunningDriver() {
        final Optional<Path> running = AeronDirectories.findRunning(AeronDirectories.defaultParent());
        if (running.isEmpty()) {
            return null;
        }
        try {
            return connect(running.get().toString());
        } catch (RuntimeException e) {
            // it stopped between the check and the connect, or this process may not map its files: use an own driver
            org.slf4j.LoggerFactory.getLogger(KvClient.class).debug("cannot use the running driver in {}: {}",
                running.get(), e.toString());
            return null;
        }
    }

    /** A small embedded driver: one thread, sparse term buffers, its own directory removed on close. */
    private static MediaDriver launchDriver() {
        return MediaDriver.launchEmbedded(new MediaDriver.Context()
            .aeronDirectoryName(CommonContext.generateRandomDirName())
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy(10, 10, TimeUnit.MICROSECONDS.toNanos(1),
                TimeUnit.MILLISECONDS.toNanos(1)))
            .termBufferSparseFile(true)
            .performStorageChecks(false)
            .warnIfDirectoryExists(false)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
    }

    /** The local address that routes to {@code endpoint} ({@code host:port}): where servers answer. */
    static String localAddressTowards(String endpoint) {
        final int colon = endpoint.lastIndexOf(':');
        final String host = endpoint.substring(0, colon);
        try {
            final InetAddress target = InetAddress.getByName(host);
            if (target.isLoopbackAddress()) {
                return target.getHostAddress(); // no socket needed (opening one is a noticeable part of a CLI call)
            }
            try (DatagramSocket probe = new DatagramSocket()) {
                probe.connect(new InetSocketAddress(target, Integer.parseInt(endpoint.substring(colon + 1))));
                return probe.getLocalAddress().getHostAddress();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a local address that reaches " + endpoint + ": " + e.getMessage(), e);
        }
    }
}
