package dev.raft.testkit.linearizability;

import static dev.raft.testkit.linearizability.KvInput.cas;
import static dev.raft.testkit.linearizability.KvInput.delete;
import static dev.raft.testkit.linearizability.KvInput.get;
import static dev.raft.testkit.linearizability.KvInput.put;
import static dev.raft.testkit.linearizability.RegisterHistoriesTest.ids;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Key-value histories: per-key partitioning, delete, compare-and-set, stale reads. */
@Timeout(30)
public class KvHistoriesTest {

    private static final KvOutput OK = KvOutput.OK;

    private static CheckResult<KvInput, KvOutput> check(History<KvInput, KvOutput> history) {
        return LinearizabilityChecker.forModel(new KvModel()).check(history);
    }

    @Test
    public void interleavedKeysAreCheckedIndependently() {
        // Across keys the order looks impossible for a single register, but keys are independent.
        History<KvInput, KvOutput> history = History.<KvInput, KvOutput>builder()
                .completed(0, put("x", "1"), OK, 0, 10)
                .completed(1, put("y", "1"), OK, 5, 15)
                .completed(2, get("y"), KvOutput.read("1"), 20, 30)
                .completed(2, get("x"), KvOutput.read("1"), 31, 40)
                .completed(3, cas("x", "1", "2"), KvOutput.cas(true), 35, 45)
                .completed(0, get("x"), KvOutput.read("2"), 50, 60)
                .completed(1, get("z"), KvOutput.read(null), 0, 60)
                .build();
        CheckResult<KvInput, KvOutput> result = check(history);
        assertTrue(result.isLinearizable(), result::report);
        assertEquals(3, result.partitionCount());
    }

    @Test
    public void violationIsReportedInTheKeyThatHasIt() {
        History<KvInput, KvOutput> history = History.<KvInput, KvOutput>builder()
                .completed(0, put("x", "1"), OK, 0, 10)
                .completed(1, put("y", "1"), OK, 0, 10)
                .completed(0, put("y", "2"), OK, 20, 30)
                .completed(1, get("x"), KvOutput.read("1"), 20, 30)
                .completed(2, get("y"), KvOutput.read("1"), 40, 50)
                .completed(2, get("x"), KvOutput.read("1"), 60, 70)
                .build();
        CheckResult<KvInput, KvOutput> result = check(history);
        assertEquals(Verdict.NOT_LINEARIZABLE, result.verdict());
        assertEquals(1, result.failingPartitionIndex());
        assertEquals(Set.of(1, 2, 4), ids(result.failingPartition()));
        assertEquals(Set.of(1, 2, 4), ids(result.minimalFailingSubHistory()), result::report);
    }

    @Test
    public void deletedKeyReadsAbsent() {
        History<KvInput, KvOutput> absent = History.<KvInput, KvOutput>builder()
                .completed(0, put("x", "a"), OK, 0, 1)
                .completed(0, delete("x"), OK, 2, 3)
                .completed(1, get("x"), KvOutput.read(null), 4, 5)
                .build();
        assertTrue(check(absent).isLinearizable());
        History<KvInput, KvOutput> resurrected = History.<KvInput, KvOutput>builder()
                .completed(0, put("x", "a"), OK, 0, 1)
                .completed(0, delete("x"), OK, 2, 3)
                .completed(1, get("x"), KvOutput.read("a"), 4, 5)
                .build();
        assertEquals(Verdict.NOT_LINEARIZABLE, check(resurrected).verdict());
    }

    @Test
    public void compareAndSetOnAbsentKey() {
        History<KvInput, KvOutput> history = History.<KvInput, KvOutput>builder()
                .completed(0, cas("x", null, "a"), KvOutput.cas(true), 0, 10)
                .completed(1, cas("x", null, "b"), KvOutput.cas(false), 5, 15)
                .completed(1, get("x"), KvOutput.read("a"), 20, 30)
                .build();
        assertTrue(check(history).isLinearizable());
        History<KvInput, KvOutput> bothWon = History.<KvInput, KvOutput>builder()
                .completed(0, cas("x", null, "a"), KvOutput.cas(true), 0, 10)
                .completed(1, cas("x", null, "b"), KvOutput.cas(true), 5, 15)
                .build();
        assertEquals(Verdict.NOT_LINEARIZABLE, check(bothWon).verdict());
    }

    @Test
    public void describesOperationsReadably() {
        KvModel model = new KvModel();
        assertEquals("put(x, 1) -> ok", model.describe(put("x", "1"), OK));
        assertEquals("get(x) -> absent", model.describe(get("x"), KvOutput.read(null)));
        assertEquals("cas(x, absent -> 2) -> not swapped", model.describe(cas("x", null, "2"), KvOutput.cas(false)));
        assertEquals("delete(x) -> ?", model.describe(delete("x"), null));
        assertEquals("write(1) -> ?", new RegisterModel(null).describe(RegisterModel.write("1"), null));
    }
}
