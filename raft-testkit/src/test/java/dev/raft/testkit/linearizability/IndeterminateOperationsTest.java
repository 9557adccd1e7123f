package dev.raft.testkit.linearizability;

import static dev.raft.testkit.linearizability.KvInput.cas;
import static dev.raft.testkit.linearizability.KvInput.get;
import static dev.raft.testkit.linearizability.KvInput.put;
import static dev.raft.testkit.linearizability.RegisterHistoriesTest.ids;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Operations that never returned: they may take effect at any point after their call, or never,
 * but not before their call, and not twice.
 */
@Timeout(30)
public class IndeterminateOperationsTest {

    private static CheckResult<KvInput, KvOutput> check(History<KvInput, KvOutput> history) {
        return LinearizabilityChecker.forModel(new KvModel()).check(history);
    }

    private static History.Builder<KvInput, KvOutput> timedOutWriteOf2() {
        return History.<KvInput, KvOutput>builder()
                .completed(0, put("x", "1"), KvOutput.OK, 0, 10)
                .pending(1, put("x", "2"), 20);
    }

    @Test
    public void timedOutWriteMayHaveTakenEffect() {
        CheckResult<KvInput, KvOutput> result = check(timedOutWriteOf2()
                .completed(2, get("x"), KvOutput.read("2"), 30, 40)
                .completed(2, get("x"), KvOutput.read("2"), 50, 60)
                .build());
        assertTrue(result.isLinearizable(), result::report);
    }

    @Test
    public void timedOutWriteMayNeverHaveTakenEffect() {
        CheckResult<KvInput, KvOutput> result = check(timedOutWriteOf2()
                .completed(2, get("x"), KvOutput.read("1"), 30, 40)
                .completed(2, get("x"), KvOutput.read("1"), 1_000, 1_010)
                .build());
        assertTrue(result.isLinearizable(), result::report);
    }

    @Test
    public void timedOutWriteMayTakeEffectLongAfterItsCall() {
        CheckResult<KvInput, KvOutput> result = check(timedOutWriteOf2()
                .completed(2, get("x"), KvOutput.read("1"), 30, 40)
                .completed(2, get("x"), KvOutput.read("2"), 1_000, 1_010)
                .build());
        assertTrue(result.isLinearizable(), result::report);
    }

    @Test
    public void timedOutWriteCannotBeUndoneOnceSeen() {
        CheckResult<KvInput, KvOutput> result = check(timedOutWriteOf2()
                .completed(2, get("x"), KvOutput.read("2"), 30, 40)
                .completed(2, get("x"), KvOutput.read("1"), 50, 60)
                .build());
        System.out.println(result.report());
        assertEquals(Verdict.NOT_LINEARIZABLE, result.verdict());
        // The timed-out write explains the read of 2 and stays in the sub-history, as pending.
        assertEquals(Set.of(0, 1, 2, 3), ids(result.minimalFailingSubHistory()), result::report);
        assertTrue(result.minimalFailingSubHistory().stream().filter(op -> op.id() == 1).allMatch(Operation::isPending));
    }

    @Test
    public void timedOutWriteCannotTakeEffectBeforeItsCall() {
        CheckResult<KvInput, KvOutput> result = check(History.<KvInput, KvOutput>builder()
                .completed(2, get("x"), KvOutput.read("2"), 0, 10)
                .pending(1, put("x", "2"), 20)
                .build());
        assertEquals(Verdict.NOT_LINEARIZABLE, result.verdict());
        assertEquals(Set.of(0), ids(result.minimalFailingSubHistory()), result::report);
    }

    @Test
    public void timedOutWriteTakesEffectAtMostOnce() {
        CheckResult<KvInput, KvOutput> result = check(History.<KvInput, KvOutput>builder()
                .pending(1, put("x", "2"), 0)
                .completed(0, get("x"), KvOutput.read("2"), 10, 20)
                .completed(0, put("x", "3"), KvOutput.OK, 30, 40)
                .completed(0, get("x"), KvOutput.read("2"), 50, 60)
                .build());
        assertEquals(Verdict.NOT_LINEARIZABLE, result.verdict(), result::report);
    }

    private static History.Builder<KvInput, KvOutput> timedOutCompareAndSetFromAToB() {
        return History.<KvInput, KvOutput>builder()
                .completed(0, put("x", "a"), KvOutput.OK, 0, 10)
                .pending(1, cas("x", "a", "b"), 20);
    }

    @Test
    public void timedOutCompareAndSetMayHaveSwappedOrNot() {
        assertTrue(check(timedOutCompareAndSetFromAToB()
                .completed(2, get("x"), KvOutput.read("b"), 30, 40).build()).isLinearizable());
        assertTrue(check(timedOutCompareAndSetFromAToB()
                .completed(2, get("x"), KvOutput.read("a"), 30, 40).build()).isLinearizable());
        assertEquals(Verdict.NOT_LINEARIZABLE, check(timedOutCompareAndSetFromAToB()
                .completed(2, get("x"), KvOutput.read("c"), 30, 40).build()).verdict());
    }

    @Test
    public void onlyPendingOperationsAreLinearizable() {
        CheckResult<KvInput, KvOutput> result = check(History.<KvInput, KvOutput>builder()
                .pending(0, put("x", "1"), 0)
                .pending(1, get("x"), 1)
                .pending(2, cas("x", "9", "2"), 2)
                .build());
        assertTrue(result.isLinearizable());
    }

    @Test
    public void failedOperationsAreLeftOutAndOpenOnesArePending() {
        HistoryRecorder<KvInput, KvOutput> recorder = new HistoryRecorder<>();
        recorder.invoke(0, put("x", "1")).ok(KvOutput.OK);
        recorder.invoke(1, put("x", "2")).fail();     // NotLeader before proposing: never happened
        recorder.invoke(2, put("x", "3"));            // timed out: may have happened
        recorder.invoke(0, get("x")).ok(KvOutput.read("3"));
        History<KvInput, KvOutput> history = recorder.history();
        assertEquals(3, history.size());
        assertTrue(history.operations().get(1).isPending());
        assertTrue(check(history).isLinearizable());

        recorder.invoke(0, get("x")).ok(KvOutput.read("2"));
        assertEquals(Verdict.NOT_LINEARIZABLE, check(recorder.history()).verdict());
    }
}
