package dev.raft.examples.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.testkit.linearizability.History;
import dev.raft.testkit.linearizability.KvInput;
import dev.raft.testkit.linearizability.KvOutput;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The soak's lost-write check: decisive only when the last acknowledged write had no rival that could follow it. */
class LostWritesTest {
    private static SoakReport report() {
        return new SoakReport(SoakConfig.regression("test"));
    }

    @Test
    void theLastAcknowledgedWriteMustBeReadBack() {
        final History<KvInput, KvOutput> h = History.<KvInput, KvOutput>builder()
            .completed(1, KvInput.put("k", "a"), KvOutput.OK, 1, 2)
            .completed(2, KvInput.put("k", "b"), KvOutput.OK, 3, 4)
            .build();
        final SoakReport report = report();
        assertEquals(1, SoakRun.lostWrites(h, Map.of("k", "a"), report));
        assertTrue(report.failures.get(0).contains("put") && report.failures.get(0).contains("b"), report.failures.toString());
        assertEquals(0, SoakRun.lostWrites(h, Map.of("k", "b"), report()));
    }

    @Test
    void aSwappedCasCountsAndAFailedOneDoesNot() {
        final History<KvInput, KvOutput> h = History.<KvInput, KvOutput>builder()
            .completed(1, KvInput.put("k", "a"), KvOutput.OK, 1, 2)
            .completed(2, KvInput.cas("k", "a", "b"), KvOutput.cas(true), 3, 4)
            .completed(3, KvInput.cas("k", "x", "c"), KvOutput.cas(false), 5, 6)
            .build();
        assertEquals(0, SoakRun.lostWrites(h, Map.of("k", "b"), report()));
        assertEquals(1, SoakRun.lostWrites(h, Map.of("k", "c"), report()));
    }

    @Test
    void aConcurrentOrUnknownWriteMakesTheKeyUndecided() {
        final History<KvInput, KvOutput> concurrent = History.<KvInput, KvOutput>builder()
            .completed(1, KvInput.put("k", "a"), KvOutput.OK, 1, 5)
            .completed(2, KvInput.put("k", "b"), KvOutput.OK, 3, 4)
            .build();
        assertEquals(0, SoakRun.lostWrites(concurrent, Map.of("k", "a"), report()));
        final History<KvInput, KvOutput> unknown = History.<KvInput, KvOutput>builder()
            .completed(1, KvInput.put("k", "a"), KvOutput.OK, 1, 2)
            .pending(2, KvInput.put("k", "b"), 0)
            .build();
        assertEquals(0, SoakRun.lostWrites(unknown, Map.of("k", "b"), report()));
        assertEquals(0, SoakRun.lostWrites(unknown, Map.of("k", "a"), report()));
    }

    @Test
    void percentilesAreNearestRank() {
        final java.util.List<Long> v = java.util.List.of(5L, 1L, 3L, 2L, 4L);
        assertEquals(3, SoakReport.percentile(v, 50));
        assertEquals(5, SoakReport.percentile(v, 99));
        assertEquals(5, SoakReport.percentile(v, 100));
        assertEquals(-1, SoakReport.percentile(java.util.List.of(), 50));
    }
}
