package dev.raft.testkit.linearizability;

import static dev.raft.testkit.linearizability.RegisterModel.cas;
import static dev.raft.testkit.linearizability.RegisterModel.read;
import static dev.raft.testkit.linearizability.RegisterModel.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Classic register histories (after the Porcupine and Knossos examples), written afresh. */
@Timeout(30)
public class RegisterHistoriesTest {

    private static final KvOutput OK = KvOutput.OK;

    private static KvOutput value(String v) {
        return KvOutput.read(v);
    }

    private static CheckResult<KvInput, KvOutput> check(String initial, History<KvInput, KvOutput> history) {
        return LinearizabilityChecker.forModel(new RegisterModel(initial)).check(history);
    }

    static Set<Integer> ids(java.util.List<Operation<KvInput, KvOutput>> ops) {
        return ops.stream().map(Operation::id).collect(Collectors.toSet());
    }

    @Test
    public void emptyHistoryIsLinearizable() {
        assertEquals(Verdict.LINEARIZABLE, check("0", History.<KvInput, KvOutput>builder().build()).verdict());
    }

    @Test
    public void readConcurrentWithWriteMaySeeTheOldValueWhileAnotherSeesTheNew() {
        // c0 writes 100 over [0,100]; c1 reads 100 inside it; c2 reads the initial 0 inside it.
        History<KvInput, KvOutput> history = History.<KvInput, KvOutput>builder()
                .completed(0, write("100"), OK, 0, 100)
                .completed(1, read(), value("100"), 25, 75)
                .completed(2, read(), value("0"), 30, 60)
                .build();
        CheckResult<KvInput, KvOutput> result = check("0", history);
        assertTrue(result.isLinearizable(), result::report);
    }

    @Test
    public void readOfOldValueAfterAnotherReadReturnedTheNewOneIsNotLinearizable() {
        // c1's read of 200 returned before c2's read of 0 began: the write took effect before both.
        History<KvInput, KvOutput> history = History.<KvInput, KvOutput>builder()
                .completed(0, write("200"), OK, 0, 100)
                .completed(1, read(), value("200"), 10, 30)
                .completed(2, read(), value("0"), 40, 90)
                .build();
        CheckResult<KvInput, KvOutput> result = check("0", history);
        assertEquals(Verdict.NOT_LINEARIZABLE, result.verdict(), result::report);
        assertEquals(Set.of(0, 1, 2), ids(result.minimalFailingSubHistory()), result::report);
        assertTrue(result.shrinkComplete());
    }

    @Test
    public void sequentiallyConsistentButNotLinearizable() {
        // The read starts after the write returned but sees the initial value.
        History<KvInput, KvOutput> history = History.<KvInput, KvOutput>builder()
                .completed(0, write("1"), OK, 0, 10)
                .completed(1, read(), value("0"), 20, 30)
                .build();
        assertEquals(Verdict.NOT_LINEARIZABLE, check("0", history).verdict());
    }

    @Test
    public void touchingIntervalsAreConcurrent() {
        // The read is called at the very time the write returns: they may be ordered either way.
        History<KvInput, KvOutput> history = History.<KvInput, KvOutput>builder()
                .completed(0, write("1"), OK, 0, 10)
                .completed(1, read(), value("0"), 10, 30)
                .build();
        assertTrue(check("0", history).isLinearizable());
    }

    @Test
    public void readersDisagreeingOnTheOrderOfTwoConcurrentWritesIsNotLinearizable() {
        History<KvInput, KvOutput> history = History.<KvInput, KvOutput>builder()
                .completed(0, write("1"), OK, 0, 100)
                .completed(1, write("2"), OK, 0, 100)
                .completed(2, read(), value("1"), 10, 20)
                .completed(2, read(), value("2"), 30, 40)
                .completed(3, read(), value("2"), 10, 20)
                .completed(3, read(), value("1"), 30, 40)
                .build();
        CheckResult<KvInput, KvOutput> result = check("0", history);
        assertEquals(Verdict.NOT_LINEARIZABLE, result.verdict());
        // Each reader alone is fine; the violation needs both readers' second reads at least.
        assertTrue(ids(result.minimalFailingSubHistory()).containsAll(Set.of(3, 5)), result::report);
    }

    @Test
    public void readersAgreeingOnTheOrderOfTwoConcurrentWritesIsLinearizable() {
        History<KvInput, KvOutput> history = History.<KvInput, KvOutput>builder()
                .completed(0, write("1"), OK, 0, 100)
                .completed(1, write("2"), OK, 0, 100)
                .completed(2, read(), value("1"), 10, 20)
                .completed(2, read(), value("2"), 30, 40)
                .completed(3, read(), value("1"), 10, 20)
                .completed(3, read(), value("2"), 30, 40)
                .build();
        assertTrue(check("0", history).isLinearizable());
    }

    @Test
    public void twoSuccessfulCompareAndSetsFromTheSameValueNeedAWriteBetweenThem() {
        History<KvInput, KvOutput> without = History.<KvInput, KvOutput>builder()
                .completed(0, cas("0", "1"), KvOutput.cas(true), 0, 10)
                .completed(1, cas("0", "2"), KvOutput.cas(true), 5, 15)
                .build();
        CheckResult<KvInput, KvOutput> result = check("0", without);
        assertEquals(Verdict.NOT_LINEARIZABLE, result.verdict());
        assertEquals(Set.of(0, 1), ids(result.minimalFailingSubHistory()), result::report);

        History<KvInput, KvOutput> with = History.<KvInput, KvOutput>builder()
                .completed(0, cas("0", "1"), KvOutput.cas(true), 0, 10)
                .completed(1, cas("0", "2"), KvOutput.cas(true), 5, 15)
                .completed(2, write("0"), OK, 0, 20)
                .build();
        assertTrue(check("0", with).isLinearizable());
    }

    @Test
    public void failedCompareAndSetMustSeeAnotherValue() {
        History<KvInput, KvOutput> history = History.<KvInput, KvOutput>builder()
                .completed(0, cas("0", "1"), KvOutput.cas(false), 0, 10)
                .build();
        assertEquals(Verdict.NOT_LINEARIZABLE, check("0", history).verdict());
        History<KvInput, KvOutput> concurrentWrite = History.<KvInput, KvOutput>builder()
                .completed(0, cas("0", "1"), KvOutput.cas(false), 0, 10)
                .completed(1, write("5"), OK, 5, 15)
                .completed(1, read(), value("5"), 20, 30)
                .build();
        assertTrue(check("0", concurrentWrite).isLinearizable());
    }

    @Test
    public void emptyRegisterReadsAbsent() {
        History<KvInput, KvOutput> history = History.<KvInput, KvOutput>builder()
                .completed(0, read(), value(null), 0, 1)
                .completed(0, write("a"), OK, 2, 3)
                .completed(0, read(), value("a"), 4, 5)
                .build();
        assertTrue(check(null, history).isLinearizable());
        assertFalse(check("0", history).isLinearizable());
    }

    @Test
    public void reportNamesTheOperationsOfTheViolation() {
        History<KvInput, KvOutput> history = History.<KvInput, KvOutput>builder()
                .completed(7, write("1"), OK, 0, 10)
                .completed(8, read(), value("0"), 20, 30)
                .build();
        String report = check("0", history).report();
        assertTrue(report.startsWith("NOT_LINEARIZABLE"), report);
        assertTrue(report.contains("write(1) -> ok"), report);
        assertTrue(report.contains("read() -> 0"), report);
        assertTrue(report.contains("Minimal failing sub-history (2 operations"), report);
    }
}
