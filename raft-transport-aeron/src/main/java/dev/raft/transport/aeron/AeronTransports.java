package dev.raft.transport.aeron;

import dev.raft.api.transport.Transport;
import io.aeron.Aeron;
import dev.raft.transport.aeron.internal.channel.AeronTransport;

/**
 * Creates the Aeron UDP transport without Guice, e.g. for {@code RaftNodeBuilder.transport(...)}: the same
 * transport {@link AeronTransportModule} binds.
 */
public final class AeronTransports {
    private AeronTransports() {
    }

    /**
     * Starts a transport: the embedded media driver (if configured), the Aeron client and the subscription on the
     * local endpoint. The node it is given to closes it; if the start fails, whatever was started is closed.
     *
     * @param config the node's transport configuration
     * @return the started transport
     */
    public static Transport start(AeronTransportConfig config) {
        return new AeronTransport(java.util.Objects.requireNonNull(config, "AeronTransports.start: config"));
    }

    /**
     * The Aeron client of a transport {@link #start} returned, e.g. to add counters next to the transport's in the
     * media driver's CnC file ({@code aeron.addCounter(typeId, label)}), where {@code AeronStat}-style tools read
     * them. It belongs to the transport: do not close it.
     *
     * @throws IllegalArgumentException if {@code transport} is not an Aeron transport (a decorator: pass the one it wraps)
     */
    public static Aeron aeronOf(Transport transport) {
        if (transport instanceof AeronTransport aeron) {
            return aeron.aeron();
        }
        throw new IllegalArgumentException("AeronTransports.aeronOf: " + transport + " is not an Aeron transport");
    }
}
