package dev.raft.transport.aeron.internal.channel;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.Membership;
import dev.raft.api.message.RaftMessage;
import dev.raft.api.transport.Transport;
import dev.raft.transport.aeron.AeronTransportConfig;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.agrona.CloseHelper;

/** Live transports on 127.0.0.1 with embedded drivers, for tests; closes them all. */
final class LiveCluster implements AutoCloseable {
    final Map<Integer, String> endpoints = new TreeMap<>();
    final Map<Integer, AeronTransport> transports = new TreeMap<>();

    /** Endpoints on free UDP ports for {@code ids}, and a started transport for each of {@code started}. */
    LiveCluster(int[] ids, int... started) {
        for (int id : ids) {
            endpoints.put(id, "127.0.0.1:" + freeUdpPort());
        }
        for (int id : started) {
            start(id);
        }
    }

    AeronTransportConfig.Builder config(int id) {
        return AeronTransportConfig.builder().clusterId(Messages.CLUSTER).nodeId(id).endpoints(endpoints)
            .termLength(16 * 1024 * 1024).maxParkMicros(100);
    }

    AeronTransport start(int id) {
        return start(id, b -> b);
    }

    AeronTransport start(int id, java.util.function.UnaryOperator<AeronTransportConfig.Builder> tweak) {
        final AeronTransport transport = new AeronTransport(tweak.apply(config(id)).build());
        transports.put(id, transport);
        return transport;
    }

    AeronTransport get(int id) {
        return transports.get(id);
    }

    void updateMembership(Membership membership) {
        for (AeronTransport transport : transports.values()) {
            transport.updateMembership(membership);
        }
    }

    /** Waits until every started transport's publication to every other started one is connected. */
    void awaitConnected() {
        await(() -> {
            for (AeronTransport from : transports.values()) {
                for (int to : transports.keySet()) {
                    if (to != from.localId() && from.hasRoute(to) && !from.isConnected(to)) {
                        return false;
                    }
                }
            }
            return true;
        }, "publications connected");
    }

    /** Polls {@code transport} until it delivered one message, and returns a detached copy. */
    static RaftMessage receive(Transport transport) {
        final RaftMessage[] received = new RaftMessage[1];
        await(() -> transport.poll(m -> received[0] = m.copy(), 1) > 0, "a message at node " + transport.localId());
        return received[0];
    }

    static void await(BooleanSupplier condition, String what) {
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    static int freeUdpPort() {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("no free UDP port on 127.0.0.1", e);
        }
    }

    @Override
    public void close() {
        final List<AeronTransport> all = new ArrayList<>(transports.values());
        CloseHelper.closeAll(all);
    }
}
