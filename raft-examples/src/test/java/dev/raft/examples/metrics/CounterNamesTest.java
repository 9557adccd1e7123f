package dev.raft.examples.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.List;
import org.junit.jupiter.api.Test;

class CounterNamesTest {
    @Test
    void transportCountersBecomeNamesAndLabels() {
        assertEquals(new CounterNames.Parsed("raft_transport_frames_in", Labels.of("cluster", "1", "node", "2")),
            CounterNames.parse("raft-transport cluster=1 node=2 frames-in"));
        assertEquals(new CounterNames.Parsed("raft_transport_receive_drop",
                Labels.of("cluster", "1", "node", "2", "reason", "unknown-schema")),
            CounterNames.parse("raft-transport cluster=1 node=2 receive-drop unknown-schema"));
    }

    @Test
    void engineCountersBecomeRaftEngineNames() {
        assertEquals(new CounterNames.Parsed("raft_engine_snapshot_transfers_completed", Labels.of("node", "3")),
            CounterNames.parse("raft node 3: snapshot transfers completed"));
    }

    @Test
    void otherCountersAreNotTheFrameworks() {
        assertNull(CounterNames.parse("pub-lmt: 12 34 1001 aeron:udp?endpoint=127.0.0.1:9000"));
        assertNull(CounterNames.parse("raft-transport cluster=1 node=2"));
    }

    @Test
    void snapshotsGroupDataPointsAndSkipDuplicates() {
        final List<MetricSnapshot> out = CounterNames.snapshots(List.of(
            new CncCounters.Counter(1, 7301, "raft-transport cluster=1 node=2 receive-drop bad-mac", 4),
            new CncCounters.Counter(2, 7301, "raft-transport cluster=1 node=2 receive-drop replay", 5),
            new CncCounters.Counter(3, 7301, "raft-transport cluster=1 node=2 receive-drop replay", 6),
            new CncCounters.Counter(4, 0, "Bytes sent", 100)), "2");
        assertEquals(2, out.size());
        final CounterSnapshot drops = (CounterSnapshot) out.get(0);
        assertEquals("raft_transport_receive_drop", drops.getMetadata().getName());
        assertEquals(2, drops.getDataPoints().size());
        assertEquals(5.0, drops.getDataPoints().get(1).getValue());
        assertEquals("aeron_driver_counter", out.get(1).getMetadata().getName());
    }
}
