package dev.raft.transport.aeron.internal.channel;

import dev.raft.api.config.IdleMode;
import dev.raft.transport.aeron.AeronDirectories;
import dev.raft.transport.aeron.AeronTransportConfig;
import io.aeron.driver.MediaDriver;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

/** The embedded media driver of a transport: its context, its idle strategies, and its directory's housekeeping. */
public final class EmbeddedDriver {
    private EmbeddedDriver() {
    }

    /** Removes driver directories of dead processes beside the embedded driver's, then launches it. */
    static MediaDriver launch(AeronTransportConfig config) {
        removeStaleDirectories(config);
        return MediaDriver.launch(driverContext(config));
    }

    /** Removes driver directories of dead processes beside the embedded driver's (e.g. left by kill -9). */
    static void removeStaleDirectories(AeronTransportConfig config) {
        final Path parent = Path.of(config.aeronDirectory()).toAbsolutePath().getParent();
        if (parent != null) {
            AeronDirectories.removeStale(parent);
        }
    }

    /** The embedded driver's context for {@code config}. */
    public static MediaDriver.Context driverContext(AeronTransportConfig config) {
        return new MediaDriver.Context()
            .aeronDirectoryName(config.aeronDirectory())
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .warnIfDirectoryExists(false)
            .threadingMode(config.threadingMode())
            .termBufferSparseFile(true)
            .publicationTermBufferLength(config.termLength())
            .ipcTermBufferLength(AeronTransportConfig.MIN_TERM_LENGTH)
            .mtuLength(config.mtu())
            .sharedIdleStrategy(idleStrategy(config))
            .conductorIdleStrategy(idleStrategy(config))
            .senderIdleStrategy(idleStrategy(config))
            .receiverIdleStrategy(idleStrategy(config))
            .sharedNetworkIdleStrategy(idleStrategy(config));
    }

    /** A new idle strategy as configured (one per agent: they hold state). */
    public static IdleStrategy idleStrategy(AeronTransportConfig config) {
        final IdleMode mode = config.idleMode();
        return switch (mode) {
            case BUSY_SPIN -> new BusySpinIdleStrategy();
            case YIELD -> new YieldingIdleStrategy();
            case BACKOFF -> new BackoffIdleStrategy(10, 20, TimeUnit.MICROSECONDS.toNanos(1),
                TimeUnit.MICROSECONDS.toNanos(config.maxParkMicros()));
        };
    }
}
