package dev.raft.core.internal.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.raft.core.internal.engine.RaftEngine;
import org.junit.jupiter.api.Test;

/** Checks the benchmark's wiring: entries commit on the leader and reach every follower's log. */
class EngineClusterTest {
    @Test
    void threeEnginesInOneThreadCommitEveryProposal() {
        final EngineCluster cluster = new EngineCluster(64, 256).electNodeOne();
        for (int i = 0; i < 100; i++) {
            cluster.proposeAndCommit(100);
        }
        cluster.pump();
        final RaftEngine leader = cluster.leader();
        assertEquals(10_001, leader.state().commitIndex());
        for (EngineCluster.Node n : cluster.nodes) {
            assertEquals(10_001, n.engine.state().lastLogIndex());
            assertEquals(10_001, n.engine.state().commitIndex(), "commit reached " + n.engine);
            assertEquals(leader.state().term(), n.engine.state().term());
        }
    }
}
