package dev.raft.core.internal.engine;

import static dev.raft.core.internal.engine.RaftEngineTest.elect;
import static dev.raft.core.internal.engine.RaftEngineTest.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.NodeId;
import dev.raft.api.Role;
import org.junit.jupiter.api.Test;

/**
 * CheckQuorum on a leader of three (election timeout 150–300 ms, heartbeat 50 ms, time in 10 ms ticks): it steps
 * down once no quorum has answered for the minimum election timeout, measured from the last answer (not at the
 * end of a fixed window), and does not blame its followers for a stall of its own.
 */
class CheckQuorumTest {
    private static final long MIN_MS = 150;
    private static final long MAX_MS = 300;

    private static TestNode leader() {
        final TestNode n = new TestNode(TestNode.config(1, 1, 2, 3).build(), 1).start(dev.raft.api.Vote.INITIAL);
        elect(n, 2, 3);
        return n;
    }

    /** Answers from node 2 every 10 ms for {@code millis}. */
    private static void answered(TestNode n, long millis) {
        for (long t = 0; t < millis; t += 10) {
            n.advanceMillis(10);
            n.receive(ok(2, 1, n.engine.term(), 0));
        }
    }

    /**
     * One-way loss at the leader (the soak's slowest failover, 276-453 ms on real servers): it hears nobody, but its
     * heartbeats still arrive, so its followers' timers start only when it steps down. Handing over with a TimeoutNow
     * as it steps down makes the election start at once; before, it came a whole election timeout later.
     */
    @Test
    void aLeaderThatHearsNobodyButIsStillHeardHandsItsLeadershipOverAsItStepsDown() {
        for (long seed = 1; seed <= 20; seed++) {
            final TestNet net = new TestNet(3, b -> b, seed * 10);
            final int old = net.electLeader();
            net.run(MAX_MS + 100); // past the new leadership's first maximum election timeout
            net.deaf.add(old);
            long millis = 0;
            while (net.leader() == old || net.leader() == 0) {
                net.run(10);
                millis += 10;
                if (millis > 2_000) {
                    throw new AssertionError("seed " + seed + ": no new leader within 2 s");
                }
            }
            assertTrue(millis <= MIN_MS + 70, "seed " + seed + ": a new leader " + millis + " ms after the loss began");
            assertEquals(1, net.node(old).engine.counter(EngineCounter.LEADERSHIP_HANDOFFS), "seed " + seed);
        }
    }

    @Test
    void checkQuorumStepsDownALeaderThatHearsFromNoQuorum() {
        final TestNode n = leader();
        final long term = n.engine.term();
        answered(n, 400);
        assertEquals(Role.LEADER, n.engine.role());
        n.runMillis(320); // then silence
        assertEquals(Role.FOLLOWER, n.engine.role());
        assertEquals(term, n.engine.term(), "stepping down does not change the term");
        assertEquals(1, n.commands("leadershipLost").size());
        assertEquals(NodeId.NONE, n.engine.leaderId());
    }

    @Test
    void aLeaderStepsDownTheMinimumElectionTimeoutAfterItsQuorumFellSilentWhereverThatFallsInTime() {
        // the quorum falls silent at every offset of a 150 ms span (past the new leadership's first maximum
        // election timeout): the step-down always follows by 150 ms, not by up to two timeouts as when the check ran
        // at the end of fixed windows
        for (long silentAfter = MAX_MS + 10; silentAfter <= MAX_MS + MIN_MS + 10; silentAfter += 10) {
            final TestNode n = leader();
            answered(n, silentAfter);
            n.runMillis(MIN_MS - 10);
            assertEquals(Role.LEADER, n.engine.role(), "silent for 140 ms after " + silentAfter + " ms");
            n.runMillis(10);
            assertEquals(Role.FOLLOWER, n.engine.role(), "silent for 150 ms after " + silentAfter + " ms");
        }
    }

    @Test
    void aStalledLeaderCountsTheAnswersThatWaitedBeforeJudgingItsQuorum() {
        final TestNode n = leader();
        final long term = n.engine.term();
        n.nowNanos += 500_000_000L; // the node's thread stalled for 500 ms; an answer waits in its inbox
        n.engine.advanceTime(n.nowNanos);
        n.receive(ok(2, 1, term, 0));
        n.engine.tick(n.nowNanos);
        assertEquals(Role.LEADER, n.engine.role(), "the waiting answer proves a quorum");
        n.runMillis(460); // then nothing more arrives
        assertEquals(1, n.commands("leadershipLost").size());
    }

    @Test
    void aLeaderWhoseOwnThreadStalledGivesItsFollowersATimeoutFromTheEndOfTheStall() {
        final TestNode n = leader();
        answered(n, 100);
        n.advanceMillis(400); // the leader's thread stalled: it sent no heartbeat, so nobody had anything to answer
        assertEquals(Role.LEADER, n.engine.role(), "a stall of its own is not its followers' silence");
        answered(n, 300); // they answer the heartbeats it sends again
        assertEquals(Role.LEADER, n.engine.role());
        n.advanceMillis(400);
        n.runMillis(MIN_MS - 10); // a second stall, and then the followers stay silent
        assertEquals(Role.LEADER, n.engine.role());
        n.runMillis(10);
        assertEquals(Role.FOLLOWER, n.engine.role(), "silent for a whole timeout after the stall");
    }

    @Test
    void aLeaderThatStallsAgainAndAgainWhileNobodyAnswersStillStepsDown() {
        // every tick comes 60 ms late (more than a heartbeat interval): a stall each time, but the followers answer
        // none of the heartbeats sent in between, so only the first stall earns them a fresh timeout
        final TestNode n = leader();
        answered(n, 100);
        for (int i = 0; i < 10 && n.engine.role() == Role.LEADER; i++) {
            n.advanceMillis(60);
        }
        assertEquals(Role.FOLLOWER, n.engine.role(), "silent followers are not excused by stall after stall");
    }

    @Test
    void aNewLeaderGivesItsVotersTheMaximumElectionTimeoutToAnswerFirst() {
        // a voter that just granted its vote may be busy (a node restarted a moment ago, still replaying or
        // truncating its log): seen on real servers, a new leader stepped down 162 ms after its election and the
        // cluster needed another one; the first answer may take up to the maximum election timeout (300 ms)
        final TestNode n = leader();
        n.runMillis(280);
        assertEquals(Role.LEADER, n.engine.role(), "no answer yet, 280 ms after the election");
        answered(n, 100); // the voter answers at last (290 ms after the election), and from then on
        assertEquals(Role.LEADER, n.engine.role());
        n.runMillis(MIN_MS); // then, as any leader, it steps down once its quorum has been silent for the minimum
        assertEquals(Role.FOLLOWER, n.engine.role());
    }

    @Test
    void aNewLeaderThatHearsNobodyStepsDownAfterTheMaximumElectionTimeout() {
        final TestNode n = leader();
        n.runMillis(290);
        assertEquals(Role.LEADER, n.engine.role());
        n.runMillis(20);
        assertEquals(Role.FOLLOWER, n.engine.role(), "silent since its election for the maximum election timeout");
    }
}
