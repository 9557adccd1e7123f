package dev.raft.testkit.linearizability;

import static dev.raft.testkit.linearizability.KvInput.get;
import static dev.raft.testkit.linearizability.KvInput.put;
import static dev.raft.testkit.linearizability.RegisterHistoriesTest.ids;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A deposed leader that still serves reads from its own state: a put acknowledged by the new
 * leader, then a read that starts later is answered with the old value.
 */
@Timeout(30)
public class StaleLeaderReadTest {

    @Test
    public void readOfTheOverwrittenValueAfterTheNewWriteWasAcknowledgedIsCaught() {
        HistoryRecorder<KvInput, KvOutput> recorder = new HistoryRecorder<>();
        // Client 0 writes v1 through the old leader; everyone sees it.
        recorder.invoke(0, put("k", "v1")).ok(KvOutput.OK);
        recorder.invoke(1, get("k")).ok(KvOutput.read("v1"));
        // Unrelated traffic on another key, concurrent with what follows.
        HistoryRecorder.Call<KvInput, KvOutput> other = recorder.invoke(3, put("other", "z"));
        // A partition: a new leader is elected and acknowledges client 2's write of v2.
        recorder.invoke(2, put("k", "v2")).ok(KvOutput.OK);
        // Client 1, still talking to the old leader, reads afterwards and is served v1.
        HistoryRecorder.Call<KvInput, KvOutput> staleRead = recorder.invoke(1, get("k"));
        staleRead.ok(KvOutput.read("v1"));
        other.ok(KvOutput.OK);
        recorder.invoke(2, get("k")).ok(KvOutput.read("v2"));

        CheckResult<KvInput, KvOutput> result = LinearizabilityChecker.forModel(new KvModel()).check(recorder.history());
        System.out.println(result.report());

        assertEquals(Verdict.NOT_LINEARIZABLE, result.verdict(), result::report);
        // put v1, put v2 and the stale read; the first read of v1 and the last read are not needed.
        assertEquals(Set.of(0, 3, staleRead.id()), ids(result.minimalFailingSubHistory()), result::report);
        assertTrue(result.shrinkComplete());
        assertTrue(result.report().contains("get(k) -> v1"), result::report);
    }

    @Test
    public void readOfTheInitialStateAfterTheFirstWriteWasAcknowledgedIsCaught() {
        HistoryRecorder<KvInput, KvOutput> recorder = new HistoryRecorder<>();
        recorder.invoke(0, put("k", "v1")).ok(KvOutput.OK);
        recorder.invoke(1, get("k")).ok(KvOutput.read(null));
        CheckResult<KvInput, KvOutput> result = LinearizabilityChecker.forModel(new KvModel()).check(recorder.history());
        assertEquals(Verdict.NOT_LINEARIZABLE, result.verdict());
        assertEquals(Set.of(0, 1), ids(result.minimalFailingSubHistory()), result::report);
    }

    @Test
    public void staleReadOfAValueWrittenByCompareAndSetKeepsTheWriterInTheSubHistory() {
        // With the compare-and-set's outcome forgotten the history is still not linearizable (it
        // could not have swapped after put c), yet without it the read would see a value nobody
        // wrote: a different violation. The shrink keeps it, and the put it depends on.
        History<KvInput, KvOutput> history = History.<KvInput, KvOutput>builder()
                .completed(0, put("k", "a"), KvOutput.OK, 0, 10)
                .completed(1, KvInput.cas("k", "a", "b"), KvOutput.cas(true), 20, 30)
                .completed(2, put("k", "c"), KvOutput.OK, 40, 50)
                .completed(3, get("k"), KvOutput.read("c"), 55, 58)
                .completed(1, get("k"), KvOutput.read("b"), 60, 70)
                .build();
        CheckResult<KvInput, KvOutput> result = LinearizabilityChecker.forModel(new KvModel()).check(history);
        assertEquals(Verdict.NOT_LINEARIZABLE, result.verdict());
        assertEquals(Set.of(0, 1, 2, 4), ids(result.minimalFailingSubHistory()), result::report);
    }

    @Test
    public void sameReadConcurrentWithTheNewWriteIsFine() {
        HistoryRecorder<KvInput, KvOutput> recorder = new HistoryRecorder<>();
        recorder.invoke(0, put("k", "v1")).ok(KvOutput.OK);
        HistoryRecorder.Call<KvInput, KvOutput> write = recorder.invoke(2, put("k", "v2"));
        HistoryRecorder.Call<KvInput, KvOutput> read = recorder.invoke(1, get("k"));
        write.ok(KvOutput.OK);
        read.ok(KvOutput.read("v1"));
        assertTrue(LinearizabilityChecker.forModel(new KvModel()).check(recorder.history()).isLinearizable());
    }
}
