package dev.raft.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.RaftMetrics;
import dev.raft.api.Role;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class DemoTest {
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void theDemoElectsFailsOverReadsBackAndCatchesUp() throws Exception {
        final StringWriter text = new StringWriter();
        final Demo.Report report = new Demo(new PrintWriter(text, true)).run();
        final String out = text.toString();
        System.out.println(out);

        assertTrue(report.firstLeader() >= 1 && report.firstLeader() <= 3, out);
        assertNotEquals(report.firstLeader(), report.secondLeader(), "a failover happened\n" + out);
        assertTrue(report.secondTerm() > report.firstTerm(), out);
        assertEquals(Demo.WRITES, report.written(), out);
        assertEquals(Demo.WRITES, report.readBack(), "every write read back\n" + out);
        assertEquals(3, report.finalMetrics().size(), out);
        long leaders = report.finalMetrics().stream().filter(RaftMetrics::isLeader).count();
        assertEquals(1, leaders, "one leader at the end\n" + out);
        final long committed = report.finalMetrics().stream().filter(RaftMetrics::isLeader).findFirst().orElseThrow()
            .committedIndex();
        for (RaftMetrics m : report.finalMetrics()) {
            assertTrue(m.role() == Role.LEADER || m.role() == Role.FOLLOWER, m.toString());
            assertTrue(m.appliedIndex() >= Demo.WRITES * 2, "node " + m.nodeId() + " applied the writes and reads: " + m);
        }
        for (RaftMetrics m : report.finalMetrics()) {
            assertTrue(m.snapshotLastLogId().index() >= Demo.SNAPSHOT_EVERY, "node " + m.nodeId() + " took a snapshot: " + m);
        }
        final RaftMetrics restarted = report.finalMetrics().get(report.firstLeader() - 1);
        assertTrue(restarted.appliedIndex() >= committed - 1, "the restarted node caught up: " + restarted + "\n" + out);
        assertTrue(report.keysPerNode().stream().allMatch(k -> k == Demo.WRITES), report.keysPerNode() + "\n" + out);
        assertTrue(out.contains("leader elected: node "), out);
        assertTrue(out.contains("killing the leader, node " + report.firstLeader()), out);
        assertTrue(out.contains("failover took"), out);
        assertTrue(out.contains("reads go through the Raft log"), out);
        assertTrue(out.contains("final state of every node"), out);
        assertTrue(out.contains("removed "), out);
    }
}
