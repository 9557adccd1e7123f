package dev.raft.testkit.linearizability;

/**
 * The outcome of applying one operation to a model state: whether the operation's output is
 * possible in that state, and the state after it.
 *
 * @param legal whether the output is consistent with the state
 * @param state the state after the operation; meaningless when not legal
 * @param <S> the model's state type
 */
public record StepResult<S>(boolean legal, S state) {

    private static final StepResult<Object> ILLEGAL = new StepResult<>(false, null);

    /**
     * A legal step.
     *
     * @param state the state after the operation
     * @param <S> state type
     * @return the result
     */
    public static <S> StepResult<S> legal(S state) {
        return new StepResult<>(true, state);
    }

    /**
     * An illegal step: the output cannot be observed in the state.
     *
     * @param <S> state type
     * @return the result
     */
    @SuppressWarnings("unchecked")
    public static <S> StepResult<S> illegal() {
        return (StepResult<S>) ILLEGAL;
    }
}
