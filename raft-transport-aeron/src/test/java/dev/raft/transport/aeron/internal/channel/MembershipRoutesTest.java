package dev.raft.transport.aeron.internal.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.Membership;
import dev.raft.api.LogId;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.message.InstallSnapshotRequest;
import dev.raft.api.message.TimeoutNowRequest;
import dev.raft.transport.aeron.SourceCheck;
import dev.raft.transport.aeron.auth.KeyFile;
import dev.raft.transport.aeron.auth.MacKeys;
import dev.raft.transport.aeron.internal.counters.ReceiveDrop;
import dev.raft.transport.aeron.internal.counters.SendDrop;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.Map;
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
    private static final Membership FOUR = Membership.of(1, 2, 3, 4);

    @TempDir
    Path dir;

    private LiveCluster authenticatedCluster() {
        final Path key = dir.resolve("cluster.key");
        KeyFile.write(key, MacKeys.of(KeyFile.randomKey()));
        final LiveCluster cluster = new LiveCluster(ALL);
        for (int id : ALL) {
            cluster.start(id, b -> b.keyFile(key).sourceCheck(SourceCheck.DROP));
        }
        return cluster;
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
            cluster.get(4).updateMembership(FOUR); // the newcomer already knows the new configuration
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

            // grow: every node learns the new member at run time, without restart
            for (int id : new int[] {1, 2, 3}) {
                cluster.get(id).updateMembership(FOUR);
                assertTrue(cluster.get(id).hasRoute(4));
            }
            cluster.awaitConnected();
            long term = 10;
            for (int other : new int[] {1, 2, 3}) {
                sendAndReceive(cluster, other, 4, term++);
                sendAndReceive(cluster, 4, other, term++);
            }
            assertEquals(0, cluster.get(4).counters().totalReceiveDrops(), "authenticated frames to the new member pass");
            assertEquals(0, cluster.get(4).counters().sourceMismatches());

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

            cluster.transports.remove(2).close();
            LiveCluster.await(() -> {
                cluster.get(1).poll(m -> { }, 10);
                return sessionBuffers(cluster.get(1)) == 0;
            }, "the gone sender's reassembly buffer freed");
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
