package dev.raft.core.internal.runtime;

/**
 * An error after which the node cannot go on (for example the state machine failed to apply a committed
 * entry: it may hold part of it): the node stops (fail-stop).
 */
final class FatalNodeError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    FatalNodeError(String message, Throwable cause) {
        super(message, cause);
    }
}
