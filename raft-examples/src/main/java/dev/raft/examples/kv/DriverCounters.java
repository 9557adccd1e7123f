package dev.raft.examples.kv;

import dev.raft.core.RaftCounters;
import io.aeron.Aeron;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * The engine's counters in the media driver's CnC file, next to the transport's and the driver's own, where
 * {@code raftkv stat --aeron-dir} and Aeron's {@code AeronStat} read them: each one added through the transport's
 * Aeron client. The node closes each counter before it closes the transport (and with it the client).
 */
final class DriverCounters implements RaftCounters {
    private final Aeron aeron;

    DriverCounters(Aeron aeron) {
        this.aeron = aeron;
    }

    @Override
    public AtomicCounter newCounter(int typeId, String label) {
        return aeron.addCounter(typeId, label);
    }

    @Override
    public void close() {
        // each counter was closed by the node; the client is the transport's
    }
}
