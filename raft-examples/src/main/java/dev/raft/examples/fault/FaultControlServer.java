package dev.raft.examples.fault;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control socket of a {@link FaultInjectingTransport}: a UDP socket on 127.0.0.1 answering the requests
 * of the package documentation, on a daemon thread. Only processes of the same host can reach it.
 */
public final class FaultControlServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FaultControlServer.class);
    private static final int MAX_REQUEST = 512;

    private final FaultInjectingTransport transport;
    private final DatagramSocket socket;
    private final Thread thread;

    /**
     * Binds 127.0.0.1:{@code port} (0: any free port) and starts answering.
     *
     * @throws UncheckedIOException naming the port if it cannot be bound
     */
    public FaultControlServer(FaultInjectingTransport transport, int port) {
        this.transport = Objects.requireNonNull(transport, "FaultControlServer: transport");
        try {
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        } catch (SocketException e) {
            throw new UncheckedIOException("cannot bind the fault control socket on 127.0.0.1:" + port + ": "
                + e.getMessage(), e);
        }
        thread = new Thread(this::serve, "fault-control-" + transport.localId());
        thread.setDaemon(true);
        thread.start();
    }

    /** The bound port. */
    public int port() {
        return socket.getLocalPort();
    }

    private void serve() {
        final byte[] buffer = new byte[MAX_REQUEST];
        while (!socket.isClosed()) {
            final DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
                final String request = new String(packet.getData(), 0, packet.getLength(), StandardCharsets.US_ASCII);
                final byte[] reply = answer(request).getBytes(StandardCharsets.US_ASCII);
                socket.send(new DatagramPacket(reply, reply.length, packet.getSocketAddress()));
            } catch (IOException e) {
                if (!socket.isClosed()) {
                    LOG.warn("node {}: fault control socket: {}", transport.localId(), e.toString());
                }
            }
        }
    }

    /** Applies one request; returns the reply. */
    String answer(String request) {
        final FaultRules rules;
        try {
            rules = FaultRules.parse(request);
        } catch (IllegalArgumentException e) {
            return "error " + e.getMessage();
        }
        if (rules != null) {
            transport.rules(rules);
            LOG.warn("node {}: fault injection: {}", transport.localId(), rules);
        }
        return "ok " + transport.rules() + " lost-out=" + transport.lostOut() + " lost-in=" + transport.lostIn();
    }

    /** Closes the socket; the thread ends. Idempotent. */
    @Override
    public void close() {
        socket.close();
    }
}
