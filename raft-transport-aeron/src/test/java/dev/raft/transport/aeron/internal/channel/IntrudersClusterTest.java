package dev.raft.transport.aeron.internal.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.Membership;
import dev.raft.api.RaftMetrics;
import dev.raft.testkit.statemachine.KvStateMachine;
import dev.raft.transport.aeron.auth.KeyFile;
import dev.raft.transport.aeron.auth.MacKeys;
import dev.raft.transport.aeron.internal.counters.ReceiveDrop;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real nodes that are not supposed to be in the cluster: a member configured with the wrong key cannot join,
 * vote or disrupt; nodes of another cluster (same key, another cluster id) that send their votes and their
 * leader's AppendEntries to the first cluster's ports cannot disturb it.
 */
class IntrudersClusterTest {
    private static final int[] IDS = {1, 2, 3};

    @TempDir
    Path dir;

    private Path keyFile(String name) {
        final Path file = dir.resolve(name);
        KeyFile.write(file, MacKeys.of(KeyFile.randomKey()));
        return file;
    }

    @Test
    @Timeout(120)
    void aMemberWithTheWrongKeyCannotJoinVoteOrDisrupt() throws Exception {
        final Path right = keyFile("right.key");
        final Path wrong = keyFile("wrong.key");
        try (CoreCluster c = new CoreCluster(61, IDS)) {
            c.transportTweak = (id, b) -> b.keyFile(id == 3 ? wrong : right);
            c.raftTweak = (id, b) -> id == 3 ? b : CoreCluster.patient(b); // node 3 keeps trying, fast
            c.startAll();
            final int leader = c.awaitLeader(1, 2);
            final long committed = c.proposeAll("k", 500);
            final long term = c.nodes.get(leader).metrics().term();
            // node 3 times out again and again: its (pre-)votes reach 1 and 2 and are dropped, as are the
            // leader's heartbeats at node 3
            for (int id : new int[] {1, 2, 3}) {
                final AeronTransport t = c.transports.get(id);
                LiveCluster.await(() -> t.counters().drops(ReceiveDrop.BAD_MAC) >= 5, "bad-mac frames at node " + id);
            }
            final int follower = leader == 1 ? 2 : 1;
            final long more = c.proposeAll("more", 500);
            c.nodes.get(follower).awaitMetrics(m -> m.appliedIndex() >= more, CoreCluster.WAIT);
            for (int id : new int[] {1, 2}) {
                final RaftMetrics m = c.nodes.get(id).metrics();
                assertEquals(term, m.term(), "node 3 never disturbed the term: " + c.describe());
                assertEquals(leader, m.leaderId(), "nor the leader: " + c.describe());
                assertEquals(c.transports.get(id).counters().drops(ReceiveDrop.BAD_MAC),
                    c.transports.get(id).counters().totalReceiveDrops(), "every drop at node " + id + " is bad-mac");
            }
            final RaftMetrics outsider = c.nodes.get(3).metrics();
            assertEquals(0, outsider.lastLogId().index(), "node 3 got no entry: " + outsider);
            assertEquals(0, outsider.appliedIndex(), "and applied nothing: " + outsider);
            assertFalse(outsider.isLeader());
            assertEquals(0, c.stateMachines.get(3).size());
            assertTrue(more > committed);
        }
    }

    @Test
    @Timeout(120)
    void anotherClusterOnOverlappingPortsWithTheSameKeyCannotDisturbTheFirst() throws Exception {
        final Path key = keyFile("shared.key");
        try (CoreCluster a = new CoreCluster(62, IDS); CoreCluster b = new CoreCluster(63, 3, 4)) {
            a.transportTweak = (id, t) -> t.keyFile(key);
            a.raftTweak = (id, r) -> CoreCluster.patient(r);
            a.startAll();
            final int leader = a.awaitLeader();
            a.proposeAll("a", 200);
            final long term = a.awaitAllFollow(leader);

            // cluster 63 sends to cluster 62's nodes 1 and 2: its node 3 leads alone and replicates to
            // "learners" 1 and 2, its node 4 keeps asking 1 and 2 for votes
            b.transportTweak = (id, t) -> t.keyFile(key).endpoint(1, a.endpoints.get(1)).endpoint(2, a.endpoints.get(2));
            b.raftTweak = (id, r) -> r.initialMembership(Membership.of(1, 2, 4));
            b.start(4);
            b.raftTweak = (id, r) -> r.initialMembership(Membership.of(new int[][] {{3}}, new int[] {1, 2}));
            b.start(3);
            b.nodes.get(3).awaitMetrics(RaftMetrics::isLeader, CoreCluster.WAIT);
            for (int i = 0; i < 50; i++) {
                b.nodes.get(3).propose(KvStateMachine.put("intruder-" + i, new byte[] {1})).get();
            }
            for (int id : new int[] {1, 2}) {
                final AeronTransport t = a.transports.get(id);
                LiveCluster.await(() -> t.counters().drops(ReceiveDrop.WRONG_CLUSTER) >= 20, "wrong-cluster frames at node " + id);
            }
            final long committed = a.proposeAll("after", 200);
            a.assertConverged(committed);
            for (int id : IDS) {
                final RaftMetrics m = a.nodes.get(id).metrics();
                assertEquals(term, m.term(), "cluster 63 never disturbed the term: " + a.describe());
                assertEquals(leader, m.leaderId(), "nor the leader: " + a.describe());
                assertNull(a.stateMachines.get(id).value("intruder-0"), "no write of cluster 63 applied");
                assertEquals(400, a.stateMachines.get(id).size());
                assertEquals(0, a.transports.get(id).counters().drops(ReceiveDrop.BAD_MAC), "same key: the cluster id stops them");
            }
            assertTrue(b.nodes.get(3).metrics().isLeader(), "cluster 63 went on alone: " + b.describe());
        }
    }
}
