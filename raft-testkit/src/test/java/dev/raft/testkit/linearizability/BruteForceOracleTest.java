package dev.raft.testkit.linearizability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Differential test: on thousands of small random register histories (completed and pending
 * operations, overlapping at random) the checker agrees with an exhaustive search over all orders,
 * and every failing sub-history it reports is itself not linearizable.
 */
@Timeout(60)
public class BruteForceOracleTest {

    private static final String[] VALUES = {null, "a", "b"};
    private static final RegisterModel MODEL = new RegisterModel(null);

    @Test
    public void checkerAgreesWithExhaustiveSearch() {
        SplittableRandom random = new SplittableRandom(20_261_124L);
        int linearizable = 0;
        int violations = 0;
        for (int round = 0; round < 3_000; round++) {
            History<KvInput, KvOutput> history = randomHistory(random, round % 2 == 0);
            boolean expected = oracle(history.operations());
            CheckResult<KvInput, KvOutput> result = LinearizabilityChecker.forModel(MODEL).check(history);
            String context = "round " + round + ":\n" + history.render(MODEL) + result.report();
            assertEquals(expected ? Verdict.LINEARIZABLE : Verdict.NOT_LINEARIZABLE, result.verdict(), context);
            if (expected) {
                linearizable++;
                continue;
            }
            violations++;
            List<Operation<KvInput, KvOutput>> witness = result.minimalFailingSubHistory();
            assertTrue(result.shrinkComplete(), context);
            assertFalse(oracle(witness), context);
            Map<Integer, Operation<KvInput, KvOutput>> original = history.operations().stream()
                    .collect(Collectors.toMap(Operation::id, Function.identity()));
            for (Operation<KvInput, KvOutput> op : witness) {
                Operation<KvInput, KvOutput> source = original.get(op.id());
                assertEquals(source.callTime(), op.callTime(), context);
                assertTrue(op.isPending() || op.equals(source), context);
            }
        }
        // Both kinds are well represented.
        assertTrue(linearizable > 500 && violations > 500, linearizable + " linearizable, " + violations + " not");
    }

    /** Up to 7 operations; from a real execution (linearization points inside the intervals) or random answers. */
    private static History<KvInput, KvOutput> randomHistory(SplittableRandom random, boolean fromExecution) {
        int n = 1 + random.nextInt(7);
        record Planned(KvInput input, long call, long ret, long point, boolean pending) {
        }
        List<Planned> planned = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long call = random.nextInt(20);
            long ret = call + random.nextInt(10);
            long point = call + random.nextInt((int) (ret - call) + 1);
            KvInput input = switch (random.nextInt(3)) {
                case 0 -> RegisterModel.read();
                case 1 -> RegisterModel.write(VALUES[1 + random.nextInt(2)]);
                default -> RegisterModel.cas(VALUES[random.nextInt(3)], VALUES[1 + random.nextInt(2)]);
            };
            planned.add(new Planned(input, call, ret, point, random.nextInt(5) == 0));
        }
        List<Planned> byPoint = new ArrayList<>(planned);
        byPoint.sort(Comparator.comparingLong(Planned::point));
        java.util.Map<Planned, KvOutput> outputs = new java.util.IdentityHashMap<>();
        String state = null;
        for (Planned p : byPoint) {
            KvOutput actual = switch (p.input().kind()) {
                case GET -> KvOutput.read(state);
                case PUT, DELETE -> KvOutput.OK;
                case CAS -> KvOutput.cas(java.util.Objects.equals(state, p.input().expected()));
            };
            state = MODEL.step(state, p.input(), actual).state();
            KvOutput random0 = switch (p.input().kind()) {
                case GET -> KvOutput.read(VALUES[random.nextInt(3)]);
                case PUT, DELETE -> KvOutput.OK;
                case CAS -> KvOutput.cas(random.nextBoolean());
            };
            outputs.put(p, fromExecution ? actual : random0);
        }
        History.Builder<KvInput, KvOutput> builder = History.builder();
        for (int i = 0; i < n; i++) {
            Planned p = planned.get(i);
            if (p.pending()) {
                builder.pending(i, p.input(), p.call());
            } else {
                builder.completed(i, p.input(), outputs.get(p), p.call(), p.ret());
            }
        }
        return builder.build();
    }

    /** Whether some order of all completed operations and some of the pending ones is legal and respects real time. */
    static boolean oracle(List<Operation<KvInput, KvOutput>> ops) {
        return search(ops, new boolean[ops.size()], MODEL.initialState());
    }

    private static boolean search(List<Operation<KvInput, KvOutput>> ops, boolean[] used, String state) {
        boolean allCompletedUsed = true;
        for (int i = 0; i < ops.size(); i++) {
            if (!used[i] && !ops.get(i).isPending()) {
                allCompletedUsed = false;
            }
        }
        if (allCompletedUsed) {
            return true;
        }
        for (int i = 0; i < ops.size(); i++) {
            if (used[i] || !mayGoNext(ops, used, i)) {
                continue;
            }
            Operation<KvInput, KvOutput> op = ops.get(i);
            StepResult<String> step = MODEL.step(state, op.input(), op.output());
            if (step.legal()) {
                used[i] = true;
                boolean found = search(ops, used, step.state());
                used[i] = false;
                if (found) {
                    return true;
                }
            }
        }
        return false;
    }

    /** No unused operation returned before this one was called. */
    private static boolean mayGoNext(List<Operation<KvInput, KvOutput>> ops, boolean[] used, int next) {
        for (int j = 0; j < ops.size(); j++) {
            if (!used[j] && j != next && ops.get(j).returnTime() < ops.get(next).callTime()) {
                return false;
            }
        }
        return true;
    }
}
