package dev.raft.testkit.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.Membership;
import dev.raft.api.RaftMetrics;
import dev.raft.api.RaftNode;
import dev.raft.api.Role;
import dev.raft.api.error.ConfigIndexMismatchException;
import dev.raft.api.error.LeadershipTransferInProgressException;
import dev.raft.api.error.NotLeaderException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Membership change and leadership transfer through the {@code RaftNode} API, on real runtime threads over the
 * in-memory transport: add a learner, promote it, remove the leader, transfer, restart from the log and from a
 * snapshot; every node ends with the same membership, published in its metrics.
 */
@Timeout(120)
class MembershipClusterTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static <T> T await(java.util.concurrent.CompletableFuture<T> f) throws Exception {
        return f.get(30, TimeUnit.SECONDS);
    }

    @Test
    void growReplaceTransferAndRestart() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3, 13)) {
            cluster.startAll();
            long last = cluster.proposeAll("a", 50);
            int leader = cluster.awaitLeader(WAIT);
            final RaftNode lead = cluster.node(leader);

            // add node 4 as a learner, then start it: it catches up
            final Membership withLearner = await(lead.addLearner(4, "127.0.0.1:20004"));
            assertTrue(withLearner.isLearner(4));
            assertEquals("127.0.0.1:20004", withLearner.endpoint(4));
            cluster.startJoining(4);
            cluster.awaitApplied(last, WAIT, 4);
            assertEquals(Role.LEARNER, cluster.node(4).metrics().role());

            // a stale compare-and-set is refused, naming both indexes
            final long index = lead.metrics().membershipIndex();
            final ExecutionException cas = assertThrows(ExecutionException.class,
                () -> await(lead.changeMembership(index - 1, new int[] {1, 2, 3, 4}, new int[0])));
            assertInstanceOf(ConfigIndexMismatchException.class, cas.getCause());

            // promote 4, then remove the leader itself: it steps down once C(new) is committed
            final Membership four = await(lead.changeMembership(index, new int[] {1, 2, 3, 4}, new int[0]));
            assertEquals(Membership.of(1, 2, 3, 4), four.withEndpoint(4, null));
            final int[] rest = java.util.stream.IntStream.of(1, 2, 3, 4).filter(id -> id != leader).toArray();
            final Membership shrunk = await(lead.changeMembership(rest, new int[0]));
            assertEquals(Membership.of(rest), shrunk.withEndpoint(4, null));
            lead.awaitMetrics(m -> m.role() != Role.LEADER, WAIT);
            final int next = cluster.awaitLeader(WAIT, rest);
            assertNotEquals(leader, next);
            cluster.crash(leader); // retired
            last = cluster.proposeAll("b", 50);

            // transfer the leadership to another voter
            final int target = java.util.Arrays.stream(rest).filter(id -> id != next).findFirst().orElseThrow();
            await(cluster.node(next).transferLeadership(target));
            assertEquals(target, cluster.awaitLeader(WAIT, target));
            final ExecutionException notLeader = assertThrows(ExecutionException.class,
                () -> await(cluster.node(next).transferLeadership(next)));
            assertInstanceOf(NotLeaderException.class, notLeader.getCause());
            last = cluster.proposeAll("c", 20);

            // every member publishes the final membership; a restart recovers it (from the log, then from a snapshot)
            for (int id : rest) {
                final RaftMetrics m = cluster.node(id).awaitMetrics(x -> x.membership().sameMembers(shrunk), WAIT);
                assertEquals(shrunk.endpoint(4), m.membership().endpoint(4));
            }
            final int restarted = java.util.Arrays.stream(rest).filter(id -> id != target).findFirst().orElseThrow();
            cluster.crash(restarted);
            cluster.start(restarted);
            assertTrue(cluster.node(restarted).metrics().membership().sameMembers(shrunk), "recovered from the log");
            cluster.awaitApplied(last, WAIT, restarted);
            await(cluster.node(restarted).triggerSnapshot());
            cluster.crash(restarted);
            cluster.start(restarted);
            assertTrue(cluster.node(restarted).metrics().membership().sameMembers(shrunk), "recovered from the snapshot");
            cluster.assertConverged(cluster.proposeAll("d", 10));
        }
    }

    @Test
    void proposalsFailFastDuringATransfer() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3, 17)) {
            cluster.startAll();
            final int leader = cluster.awaitLeader(WAIT);
            final int target = leader == 1 ? 2 : 1;
            cluster.network.isolate(target);
            final var transfer = cluster.node(leader).transferLeadership(target);
            // a proposal drained in the duty cycle before the transfer request runs is still accepted: retry
            Throwable refused = null;
            for (int i = 0; i < 100 && refused == null && !transfer.isDone(); i++) {
                try {
                    await(cluster.node(leader).propose(new byte[] {1}));
                } catch (ExecutionException e) {
                    refused = e.getCause();
                }
            }
            assertInstanceOf(LeadershipTransferInProgressException.class, refused);
            // the target cannot win: the transfer fails after an election timeout and the leader resumes
            final ExecutionException failed = assertThrows(ExecutionException.class, () -> await(transfer));
            assertTrue(failed.getCause().getMessage().contains("did not win"), failed.getCause().getMessage());
            cluster.network.heal();
            cluster.assertConverged(cluster.proposeAll("e", 10));
        }
    }
}
