package dev.raft.testkit.linearizability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Large generated histories of a correct store, with and without one injected stale read. */
public class GeneratedKvHistoryTest {

    private static final int OPERATIONS = 10_000;
    private static final int CLIENTS = 10;
    private static final int KEYS = 50;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    public void tenThousandOperationLinearizableHistoryIsAccepted() {
        for (long seed = 1; seed <= 3; seed++) {
            SimulatedKvWorkload.Result generated = SimulatedKvWorkload.generate(seed, OPERATIONS, CLIENTS, KEYS, false);
            long start = System.nanoTime();
            CheckResult<KvInput, KvOutput> result = LinearizabilityChecker.forModel(new KvModel())
                    .check(generated.history());
            long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start);
            long pending = generated.history().operations().stream().filter(Operation::isPending).count();
            System.out.printf("seed %d: %d invoked, %d in history (%d pending), %d partitions, %d steps:"
                    + " %s in %.1f ms%n", seed, OPERATIONS, generated.history().size(), pending,
                    result.partitionCount(), result.searchSteps(), result.verdict(), micros / 1000.0);
            assertEquals(Verdict.LINEARIZABLE, result.verdict(), result::report);
            assertEquals(KEYS, result.partitionCount());
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    public void tenThousandOperationsOnOneKeyAreAccepted() {
        SimulatedKvWorkload.Result generated = SimulatedKvWorkload.generate(7, OPERATIONS, CLIENTS, 1, false);
        long start = System.nanoTime();
        CheckResult<KvInput, KvOutput> result = LinearizabilityChecker.forModel(new KvModel()).check(generated.history());
        System.out.printf("1 key: %d ops, %d steps: %s in %.1f ms%n", generated.history().size(),
                result.searchSteps(), result.verdict(), (System.nanoTime() - start) / 1e6);
        assertEquals(Verdict.LINEARIZABLE, result.verdict(), result::report);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    public void injectedStaleReadIsRejectedWithASmallSubHistory() {
        for (long seed = 1; seed <= 3; seed++) {
            SimulatedKvWorkload.Result generated = SimulatedKvWorkload.generate(seed, OPERATIONS, CLIENTS, KEYS, true);
            assertTrue(generated.staleReadId() >= 0, "seed " + seed + ": no stale read could be injected");
            long start = System.nanoTime();
            CheckResult<KvInput, KvOutput> result = LinearizabilityChecker.forModel(new KvModel())
                    .check(generated.history());
            System.out.printf("seed %d with stale read %d on %s: %s in %.1f ms%n%s%n", seed, generated.staleReadId(),
                    generated.staleReadKey(), result.verdict(), (System.nanoTime() - start) / 1e6, result.report());

            assertEquals(Verdict.NOT_LINEARIZABLE, result.verdict());
            assertTrue(result.failingPartition().stream().allMatch(op -> op.input().key().equals(generated.staleReadKey())));
            assertTrue(result.minimalFailingSubHistory().stream().anyMatch(op -> op.id() == generated.staleReadId()),
                    result::report);
            assertTrue(result.shrinkComplete(), result::report);
            assertTrue(result.minimalFailingSubHistory().size() <= 12, result::report);
        }
    }
}
