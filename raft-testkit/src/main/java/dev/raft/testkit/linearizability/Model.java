package dev.raft.testkit.linearizability;

import java.util.List;

/**
 * A sequential specification: what a single-threaded, atomic implementation of the object would
 * answer.
 *
 * <p>States are values: they must be immutable and implement {@code equals} and {@code hashCode},
 * because the checker memoizes (linearized set, state) pairs. {@code null} is an allowed state.
 *
 * @param <S> the state type
 * @param <I> the input type
 * @param <O> the output type
 */
public interface Model<S, I, O> {

    /**
     * The state before any operation.
     *
     * @return the initial state
     */
    S initialState();

    /**
     * Applies one operation atomically.
     *
     * <p>{@code output} is {@code null} when the operation is pending (its answer is unknown): the
     * step must then be legal and return the state after the operation took effect, whatever it
     * answered. (The checker also considers that a pending operation never took effect.)
     *
     * @param state the state before the operation
     * @param input the operation's input
     * @param output the answer the client saw, or {@code null} if unknown
     * @return whether the answer is possible, and the state after the operation
     */
    StepResult<S> step(S state, I input, O output);

    /**
     * Whether an operation never changes the state, whatever the state (a read). A pending
     * read-only operation constrains nothing, so the checker ignores it, which keeps the search
     * small. The default, {@code false}, is always correct.
     *
     * @param input the operation's input
     * @return {@code true} only if {@code step(s, input, null)} is legal and returns {@code s} for every {@code s}
     */
    default boolean isReadOnly(I input) {
        return false;
    }

    /**
     * Splits a history into independent sub-histories (P-compositionality): the history is
     * linearizable if and only if every part is. The default keeps it whole.
     *
     * @param operations all operations of the history
     * @return the parts; every operation in exactly one part
     */
    default List<List<Operation<I, O>>> partition(List<Operation<I, O>> operations) {
        return List.of(operations);
    }

    /**
     * A short human-readable form of an operation, for reports.
     *
     * @param input the input
     * @param output the output, or {@code null} if the operation is pending
     * @return for example {@code put(x, 1) -> ok}
     */
    default String describe(I input, O output) {
        return input + " -> " + (output == null ? "?" : output);
    }
}
