package dev.raft.transport.aeron.internal.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.Membership;
import dev.raft.api.LogId;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.message.InstallSnapshotRequest;
import dev.raft.api.message.TimeoutNowRequest;
import dev.raft.transport.aeron.AeronTransportConfig;
import dev.raft.transport.aeron.SourceCheck;
import dev.raft.transport.aeron.auth.KeyFile;
import dev.raft.transport.aeron.auth.MacKeys;
import dev.raft.transport.aeron.internal.counters.ReceiveDrop;
import dev.raft.transport.aeron.internal.counters.SendDrop;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.Random;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Routes follow the membership at run time, over real Aeron on 127.0.0.1 with frame authentication and the
 * source check on: a cluster of three grows to four (both directions carry frames), then shrinks back (the removed
 * node's frames are dropped and counted, and no route to it is left); a sender that goes away leaves no
 * reassembly buffer behind.
 */
@Timeout(90)
class MembershipRoutesTest {
    private static final int[] ALL = {1, 2, 3, 4};
    private static final Membership THREE = Membership.of(1, 2, 3);

    @TempDir
    Path dir;

    /**
     * Four transports with one key; nodes 1 to 3 know only each other's endpoints from their configuration (they
     * learn node 4's from the membership), node 4 knows all four.
     */
    private LiveCluster authenticatedCluster() {
        final Path key = dir.resolve("cluster.key");
        KeyFile.write(key, MacKeys.of(KeyFile.randomKey()));
        final LiveCluster cluster = new LiveCluster(ALL);
        final Map<Integer, String> initial = new TreeMap<>(cluster.endpoints);
        initial.remove(4);
        for (int id : ALL) {
            final AeronTransportConfig.Builder config = AeronTransportConfig.builder().clusterId(Messages.CLUSTER).nodeId(id)
                .endpoints(id == 4 ? cluster.endpoints : initial).maxParkMicros(100).keyFile(key)
                .sourceCheck(SourceCheck.DROP);
            cluster.transports.put(id, new AeronTransport(config.build()));
        }
        return cluster;
    }

    private static Membership four(LiveCluster cluster) {
        return Membership.of(new int[][] {{1, 2, 3, 4}}, new int[0], cluster.endpoints);
    }

    private static void sendAndReceive(LiveCluster cluster, int from, int to, long term) {
        assertTrue(cluster.get(from).send(new TimeoutNowRequest().set(from, to, term)), from + " -> " + to);
        final var received = LiveCluster.receive(cluster.get(to));
        assertEquals(from, received.from());
        assertEquals(term, received.term());
    }

    @Test
    void growFromThreeToFourSendBothWaysThenRemoveAndDropTheRemovedNodesFrames() {
        try (LiveCluster cluster = authenticatedCluster()) {
            for (int id : new int[] {1, 2, 3}) {
                cluster.get(id).updateMembership(THREE);
            }
            final Membership four = four(cluster);
            cluster.get(4).updateMembership(four); // the newcomer already knows the new configuration
            for (int id : new int[] {1, 2, 3}) {
                assertFalse(cluster.get(id).hasRoute(4), "no route to a node before it is a member");
            }
            assertTrue(cluster.get(4).hasRoute(1));
            LiveCluster.await(() -> cluster.get(4).isConnected(1), "4 -> 1 connected");
            assertTrue(cluster.get(4).send(new TimeoutNowRequest().set(4, 1, 1)));
            LiveCluster.await(() -> {
                assertEquals(0, cluster.get(1).poll(m -> { }, 10), "nothing delivered from a non-member");
                return cluster.get(1).counters().drops(ReceiveDrop.UNKNOWN_SENDER) == 1;
            }, "the frame of a non-member dropped and counted");

            // grow: every node learns the new member and its endpoint from the membership, at run time
            for (int id : new int[] {1, 2, 3}) {
                cluster.get(id).updateMembership(four);
                assertTrue(cluster.get(id).hasRoute(4));
            }
            cluster.awaitConnected();
            long term = 10;
            for (int other : new int[] {1, 2, 3}) {
                sendAndReceive(cluster, other, 4, term++);
                sendAndReceive(cluster, 4, other, term++);
            }
            assertEquals(0, cluster.get(4).counters().totalReceiveDrops(), "authenticated frames to the new member pass");
            for (int id : ALL) {
                assertEquals(0, cluster.get(id).counters().sourceMismatches(), "node 4's host is learnt with its endpoint");
            }

            // shrink: the removed node's frames are dropped and counted, nothing is sent to it any more
            final long droppedBefore = cluster.get(1).counters().drops(ReceiveDrop.UNKNOWN_SENDER);
            for (int id : new int[] {1, 2, 3}) {
                cluster.get(id).updateMembership(THREE);
                assertFalse(cluster.get(id).hasRoute(4), "route to the removed node closed");
            }
            assertFalse(cluster.get(1).send(new TimeoutNowRequest().set(1, 4, term)));
            assertEquals(1, cluster.get(1).counters().drops(SendDrop.NO_ROUTE));
            for (int i = 0; i < 5; i++) {
                assertTrue(cluster.get(4).send(new TimeoutNowRequest().set(4, 1, term++)), "4 still has its route");
            }
            LiveCluster.await(() -> {
                assertEquals(0, cluster.get(1).poll(m -> { }, 10), "nothing delivered from a removed member");
                return cluster.get(1).counters().drops(ReceiveDrop.UNKNOWN_SENDER) == droppedBefore + 5;
            }, "the removed member's five frames dropped and counted");
            // the members still talk to each other
            sendAndReceive(cluster, 2, 1, term++);
            sendAndReceive(cluster, 1, 3, term);
        }
    }

    @Test
    void aNodeThatIsNoVoterAcceptsItsConfiguredPeersUntilItKnowsTheMembershipAVoterDoesNot() {
        try (LiveCluster cluster = new LiveCluster(new int[] {1, 2, 3}, 1, 2, 3)) {
            // node 3 joins: it is not a voter of what it knows, and node 1 (leading, say) is not in that membership
            cluster.get(3).updateMembership(Membership.of(new int[][] {{2}}, new int[] {3}));
            cluster.get(1).updateMembership(Membership.of(new int[][] {{1, 2}}, new int[] {3}));
            assertTrue(cluster.get(3).hasRoute(1), "a route to a configured node, to answer it");
            cluster.awaitConnected();
            sendAndReceive(cluster, 1, 3, 5);
            sendAndReceive(cluster, 3, 1, 6);

            // a voter accepts members only: node 3 removed from node 1's membership is dropped there
            cluster.get(1).updateMembership(Membership.of(1, 2));
            assertTrue(cluster.get(3).send(new TimeoutNowRequest().set(3, 1, 7)));
            LiveCluster.await(() -> {
                assertEquals(0, cluster.get(1).poll(m -> { }, 10));
                return cluster.get(1).counters().drops(ReceiveDrop.UNKNOWN_SENDER) == 1;
            }, "the non-member's frame dropped at a voter");
        }
    }

    @Test
    void aSenderThatGoesAwayLeavesNoReassemblyBuffer() throws Exception {
        try (LiveCluster cluster = new LiveCluster(new int[] {1, 2}, 1, 2)) {
            cluster.updateMembership(Membership.of(1, 2));
            cluster.awaitConnected();
            // a message larger than the MTU is fragmented: the receiver assembles it in a buffer of the sender's session
            final byte[] data = Messages.randomBytes(new Random(7), 64 * 1024);
            final InstallSnapshotRequest big = new InstallSnapshotRequest().set(2, 1, 3,
                new SnapshotMeta("snap-1", LogId.of(2, 100), Membership.of(1, 2)), 0, new UnsafeBuffer(data), 0,
                data.length, false);
            assertTrue(cluster.get(2).send(big));
            Messages.assertSameMessage(big, LiveCluster.receive(cluster.get(1)));
            assertEquals(1, sessionBuffers(cluster.get(1)), "one buffer for node 2's session");

            cluster.get(2).updateMembership(Membership.of(2)); // node 2 closes its route to node 1
            // the image goes away once the sender's end of stream arrives (or its image liveness timeout, 10 s, passed)
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
            while (sessionBuffers(cluster.get(1)) != 0) {
                assertTrue(System.nanoTime() - deadline < 0, "the gone sender's reassembly buffer was not freed in 40 s");
                cluster.get(1).poll(m -> { }, 10);
                Thread.sleep(5);
            }
        }
    }

    /** The number of per-session buffers of the transport's fragment assembler (Aeron frees them only when told). */
    private static int sessionBuffers(AeronTransport transport) {
        try {
            final Field field = io.aeron.ControlledFragmentAssembler.class.getDeclaredField("builderBySessionIdMap");
            field.setAccessible(true);
            return ((Map<?, ?>) field.get(transport.assembler())).size();
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("Aeron's ControlledFragmentAssembler changed: " + e, e);
        }
    }
}
