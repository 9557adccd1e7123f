package dev.raft.core.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.Role;
import dev.raft.api.Vote;
import dev.raft.api.message.AppendEntriesRequest;
import dev.raft.api.message.AppendEntriesResponse;
import dev.raft.api.message.MessageType;
import dev.raft.api.message.VoteRequest;
import dev.raft.api.message.VoteResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue #11 item 3: a follower that lost its disk reports a log end below the match the leader recorded
 * for it; the leader must reset that follower's progress and probe it again (before: the rejection was
 * "at or below the match" and ignored as stale, so the follower never caught up under a stable leader).
 */
class FollowerLogLossTest {
    /** Node 1 leading nodes 2 and 3, all holding entries 1..3, node 2 acknowledged up to 4 (the blank entry). */
    private static TestNode leaderWithReplicatedFollower() {
        final TestNode n = new TestNode(TestNode.config(1, 1, 2, 3).preVote(false).build(), 3)
            .start(new Vote(1, 1), 1, 1, 1);
        n.runMillis(310);
        for (VoteRequest r : n.<VoteRequest>takeSent(MessageType.VOTE_REQUEST)) {
            n.receive(new VoteResponse().set(r.to(), 1, r.term(), true, false));
        }
        assertEquals(Role.LEADER, n.engine.role());
        n.flushAll();
        n.receive(new AppendEntriesResponse().success(2, 1, n.engine.term(), 4, 4));
        assertEquals(4, n.engine.matchIndex(2));
        assertTrue(n.engine.isReplicating(2));
        n.outbox.clear();
        return n;
    }

    @Test
    void aRejectionReportingALogEndBelowTheMatchResetsTheFollowerAndProbesIt() {
        final TestNode n = leaderWithReplicatedFollower();
        // node 2 restarted on a wiped disk: it rejects the next heartbeat (prev 4), holding nothing
        n.receive(new AppendEntriesResponse().reject(2, 1, n.engine.term(), 4, 0, 1, 0));
        assertEquals(1, n.engine.counter(EngineCounter.FOLLOWER_LOGS_LOST));
        assertEquals(0, n.engine.matchIndex(2), "the match is forgotten");
        assertFalse(n.engine.isReplicating(2), "probing again");
        final List<AppendEntriesRequest> probes = n.takeSent(MessageType.APPEND_ENTRIES_REQUEST);
        assertEquals(1, probes.size(), probes::toString);
        assertEquals(0, probes.get(0).prevLogIndex(), "probed from the end of what it holds");
        // the probe succeeds and the follower catches up
        n.receive(new AppendEntriesResponse().success(2, 1, n.engine.term(), 4, 4));
        assertEquals(4, n.engine.matchIndex(2));
        assertTrue(n.engine.isReplicating(2));
    }

    @Test
    void aRejectionAtOrAboveWhatTheFollowerHoldsIsNoLossAndStaleAsBefore() {
        final TestNode n = leaderWithReplicatedFollower();
        // a rejection answering an old probe, whose log end (4) is not below the match: stale, ignored
        n.receive(new AppendEntriesResponse().reject(2, 1, n.engine.term(), 3, 1, 1, 4));
        assertEquals(0, n.engine.counter(EngineCounter.FOLLOWER_LOGS_LOST));
        assertEquals(4, n.engine.matchIndex(2));
        assertTrue(n.engine.isReplicating(2));
    }

    @Test
    void aDelayedRejectionOfAnOlderRequestIsStaleNotALoss() {
        final TestNode n = leaderWithReplicatedFollower();
        // answered a probe of index 2 when node 2 held only 1, delivered after node 2 acknowledged up to 4
        n.receive(new AppendEntriesResponse().reject(2, 1, n.engine.term(), 2, 0, 2, 1));
        assertEquals(0, n.engine.counter(EngineCounter.FOLLOWER_LOGS_LOST));
        assertEquals(4, n.engine.matchIndex(2));
        assertTrue(n.engine.isReplicating(2));
    }
}
