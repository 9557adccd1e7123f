package dev.raft.testkit.linearizability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Search and shrink budgets, configuration validation, and models that partition wrongly. */
@Timeout(60)
public class CheckerBudgetTest {

    /**
     * {@code writers} concurrent writes, each read by a concurrent read, then a read of a value
     * nobody wrote (operation {@code 2 * writers}): proving the violation takes a search over the
     * orders of the writes and reads, about 3^writers configurations.
     */
    private static History<KvInput, KvOutput> hardViolation(int writers) {
        History.Builder<KvInput, KvOutput> builder = History.builder();
        for (int i = 0; i < writers; i++) {
            builder.completed(i, RegisterModel.write("w" + i), KvOutput.OK, 0, 100);
            builder.completed(20 + i, RegisterModel.read(), KvOutput.read("w" + i), 10 + i, 90);
        }
        return builder.completed(40, RegisterModel.read(), KvOutput.read("nobody"), 200, 210).build();
    }

    @Test
    public void exhaustedStepBudgetAnswersUnknown() {
        CheckResult<KvInput, KvOutput> result = LinearizabilityChecker.forModel(new RegisterModel(null))
                .withStepLimit(50).check(hardViolation(12));
        assertEquals(Verdict.UNKNOWN, result.verdict());
        assertFalse(result.isLinearizable());
        assertTrue(result.minimalFailingSubHistory().isEmpty());
        assertTrue(result.report().startsWith("UNKNOWN"), result.report());
        assertTrue(result.report().contains("budget ran out"), result.report());
    }

    @Test
    public void sameHistoryWithEnoughBudgetIsRejected() {
        CheckResult<KvInput, KvOutput> result = LinearizabilityChecker.forModel(new RegisterModel(null))
                .check(hardViolation(6));
        assertEquals(Verdict.NOT_LINEARIZABLE, result.verdict());
        assertTrue(result.shrinkComplete());
        assertEquals(List.of(12), result.minimalFailingSubHistory().stream().map(Operation::id).toList(),
                result::report);
    }

    @Test
    public void exhaustedShrinkBudgetStillGivesAFailingSubHistory() {
        History<KvInput, KvOutput> history = History.<KvInput, KvOutput>builder()
                .completed(0, RegisterModel.write("1"), KvOutput.OK, 0, 10)
                .completed(1, RegisterModel.read(), KvOutput.read("1"), 20, 30)
                .completed(2, RegisterModel.write("2"), KvOutput.OK, 40, 50)
                .completed(1, RegisterModel.read(), KvOutput.read("1"), 60, 70)
                .completed(3, RegisterModel.read(), KvOutput.read("2"), 80, 90)
                .build();
        CheckResult<KvInput, KvOutput> result = LinearizabilityChecker.forModel(new RegisterModel(null))
                .withShrinkBudget(Duration.ofSeconds(10), 1).check(history);
        assertEquals(Verdict.NOT_LINEARIZABLE, result.verdict());
        assertFalse(result.shrinkComplete());
        assertFalse(result.minimalFailingSubHistory().isEmpty());
        assertTrue(result.report().contains("the shrink budget ran out"), result.report());
        // The sub-history given is itself not linearizable.
        assertEquals(Verdict.NOT_LINEARIZABLE, LinearizabilityChecker.forModel(new RegisterModel(null))
                .check(new History<>(result.minimalFailingSubHistory())).verdict());

        CheckResult<KvInput, KvOutput> full = LinearizabilityChecker.forModel(new RegisterModel(null)).check(history);
        assertTrue(full.shrinkComplete());
        assertEquals(List.of(0, 2, 3), full.minimalFailingSubHistory().stream().map(Operation::id).sorted().toList(),
                full::report);
    }

    @Test
    public void budgetsAreValidated() {
        LinearizabilityChecker<String, KvInput, KvOutput> checker = LinearizabilityChecker.forModel(new KvModel());
        IllegalArgumentException timeout = assertThrows(IllegalArgumentException.class,
                () -> checker.withTimeout(Duration.ZERO));
        assertTrue(timeout.getMessage().contains("timeout must be a positive duration, got PT0S"), timeout.getMessage());
        IllegalArgumentException steps = assertThrows(IllegalArgumentException.class, () -> checker.withStepLimit(0));
        assertTrue(steps.getMessage().contains("stepLimit must be at least 1, got 0"), steps.getMessage());
        assertThrows(IllegalArgumentException.class, () -> checker.withShrinkBudget(Duration.ofSeconds(-1), 5));
        assertThrows(IllegalArgumentException.class, () -> checker.withShrinkBudget(Duration.ofSeconds(1), -5));
    }

    @Test
    public void modelThatLosesOperationsInItsPartitionIsRejected() {
        Model<String, KvInput, KvOutput> lossy = new Model<>() {
            @Override
            public String initialState() {
                return null;
            }

            @Override
            public StepResult<String> step(String state, KvInput input, KvOutput output) {
                return StepResult.legal(state);
            }

            @Override
            public List<List<Operation<KvInput, KvOutput>>> partition(List<Operation<KvInput, KvOutput>> operations) {
                return List.of(operations.subList(1, operations.size()));
            }
        };
        History<KvInput, KvOutput> history = History.<KvInput, KvOutput>builder()
                .pending(0, KvInput.get("x"), 0).pending(1, KvInput.get("y"), 1).build();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> LinearizabilityChecker.forModel(lossy).check(history));
        assertTrue(e.getMessage().contains("partitions hold 1 operations but the history has 2"), e.getMessage());
    }
}
