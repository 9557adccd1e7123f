package dev.raft.examples.fault;

import dev.raft.api.transport.Transport;
import java.util.function.UnaryOperator;

/**
 * What {@code raftkv server --fault-control <port>} adds to a server: its transport wrapped in a
 * {@link FaultInjectingTransport} controlled from a {@link FaultControlServer} on 127.0.0.1. Without the
 * flag ({@link #off()}) the transport is left as it is and no socket is opened.
 */
public final class ServerFaultInjection implements UnaryOperator<Transport>, AutoCloseable {
    private final int port;
    private FaultControlServer control;

    private ServerFaultInjection(int port) {
        this.port = port;
    }

    /** No fault injection. */
    public static ServerFaultInjection off() {
        return new ServerFaultInjection(-1);
    }

    /** Fault injection controlled on 127.0.0.1:{@code port}, or {@link #off()} if {@code port} is null. */
    public static ServerFaultInjection controlledOn(Integer port) {
        if (port != null && (port < 0 || port > 65535)) {
            throw new IllegalArgumentException("--fault-control must be a UDP port (0-65535), got " + port);
        }
        return port == null ? off() : new ServerFaultInjection(port);
    }

    /** Wraps the node's transport (once) and opens the control socket; returns it unchanged when off. */
    @Override
    public synchronized Transport apply(Transport transport) {
        if (port < 0) {
            return transport;
        }
        if (control != null) {
            throw new IllegalStateException("fault injection: the transport of node " + transport.localId()
                + " is already wrapped");
        }
        final FaultInjectingTransport faulty = new FaultInjectingTransport(transport);
        control = new FaultControlServer(faulty, port);
        return faulty;
    }

    /** What is on, for the server's start line (empty when off). */
    public synchronized String describe() {
        return control == null ? "" : "; FAULT INJECTION on, controlled on 127.0.0.1:" + control.port();
    }

    /** Closes the control socket. Idempotent. */
    @Override
    public synchronized void close() {
        if (control != null) {
            control.close();
        }
    }
}
