package dev.raft.testkit.simulation;

/**
 * Wraps one part (log store, state machine) of one node of a simulation, for example to plant a bug in a
 * test. Called at every start of the node, with the node's id.
 *
 * @param <T> the part's type
 */
@FunctionalInterface
public interface PartWrapper<T> {
    /** The part node {@code nodeId} uses instead of {@code part}. */
    T wrap(int nodeId, T part);

    /** The wrapper that returns the part itself. */
    static <T> PartWrapper<T> identity() {
        return (nodeId, part) -> part;
    }
}
