package dev.raft.testkit.linearizability;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * An immutable set of client operations, completed or pending, to be checked for
 * linearizability. Operations that definitely did not take effect are simply not part of it.
 *
 * @param operations the operations, in any order; ids must be unique
 * @param <I> the input type of the model
 * @param <O> the output type of the model
 */
public record History<I, O>(List<Operation<I, O>> operations) {

    /**
     * Copies the operations and checks that their ids are unique.
     *
     * @param operations the operations
     * @throws IllegalArgumentException if two operations share an id
     */
    public History {
        operations = List.copyOf(operations);
        Set<Integer> ids = new HashSet<>();
        for (Operation<I, O> op : operations) {
            if (!ids.add(op.id())) {
                throw new IllegalArgumentException("history: operation id " + op.id()
                        + " is used twice (second use: client " + op.clientId() + ", input " + op.input() + ")");
            }
        }
    }

    /**
     * The number of operations.
     *
     * @return the size of the history
     */
    public int size() {
        return operations.size();
    }

    /**
     * A readable table of the operations sorted by call time: id, client, call and return times
     * and the operation as the model describes it. Pending operations return "never".
     *
     * @param model the model describing inputs and outputs
     * @return one line per operation, after a header line
     */
    public String render(Model<?, I, O> model) {
        return render(model, op -> "");
    }

    /** {@link #render(Model)} with a note appended to each operation's line. */
    String render(Model<?, I, O> model, Function<Operation<I, O>, String> note) {
        List<Operation<I, O>> sorted = new ArrayList<>(operations);
        sorted.sort(Comparator.<Operation<I, O>>comparingLong(Operation::callTime).thenComparingInt(Operation::id));
        StringBuilder out = new StringBuilder(64 * (sorted.size() + 1));
        out.append(String.format("%8s %8s %12s %12s  %s%n", "op", "client", "call", "return", "operation"));
        for (Operation<I, O> op : sorted) {
            out.append(String.format("%8d %8d %12d %12s  %s%n", op.id(), op.clientId(), op.callTime(),
                    op.isPending() ? "never" : Long.toString(op.returnTime()),
                    model.describe(op.input(), op.output()) + note.apply(op)));
        }
        return out.toString();
    }

    /**
     * A builder that numbers operations in the order they are added.
     *
     * @param <I> input type
     * @param <O> output type
     * @return an empty builder
     */
    public static <I, O> Builder<I, O> builder() {
        return new Builder<>();
    }

    /**
     * Builds a history by hand (tests, histories read from logs).
     *
     * @param <I> input type
     * @param <O> output type
     */
    public static final class Builder<I, O> {
        private final List<Operation<I, O>> operations = new ArrayList<>();

        private Builder() {
        }

        /**
         * Adds a completed operation.
         *
         * @param clientId the client
         * @param input the input
         * @param output the output
         * @param callTime call time
         * @param returnTime return time
         * @return this builder
         */
        public Builder<I, O> completed(int clientId, I input, O output, long callTime, long returnTime) {
            operations.add(Operation.completed(operations.size(), clientId, input, output, callTime, returnTime));
            return this;
        }

        /**
         * Adds an operation that never returned.
         *
         * @param clientId the client
         * @param input the input
         * @param callTime call time
         * @return this builder
         */
        public Builder<I, O> pending(int clientId, I input, long callTime) {
            operations.add(Operation.pending(operations.size(), clientId, input, callTime));
            return this;
        }

        /**
         * The history built so far.
         *
         * @return an immutable history
         */
        public History<I, O> build() {
            return new History<>(operations);
        }
    }
}
