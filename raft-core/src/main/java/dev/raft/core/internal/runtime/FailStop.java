package dev.raft.core.internal.runtime;

import dev.raft.api.error.NodeFailedException;
import dev.raft.api.error.StorageException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A node's fail-stop state: the first fatal error recorded (from any thread: the node thread, a transport
 * callback, the log store's flusher), what counts as fatal, and the future that tells the embedding program
 * the node stopped and why.
 */
final class FailStop {
    private final int nodeId;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final CompletableFuture<Throwable> terminated = new CompletableFuture<>();
    private boolean handled;

    FailStop(int nodeId) {
        this.nodeId = nodeId;
    }

    /** Whether the node cannot go on after {@code t}. */
    static boolean isFatal(Throwable t) {
        return t instanceof Error || (t instanceof StorageException s && s.isFatal()) || t instanceof IOException
            || t instanceof UncheckedIOException || t instanceof FatalNodeError;
    }

    /** Any thread: records a fatal error (the first one wins). */
    void record(Throwable cause) {
        failure.compareAndSet(null, cause);
    }

    /** Whether a fatal error was recorded. */
    boolean failed() {
        return failure.get() != null;
    }

    /** The fatal error, or null. */
    Throwable cause() {
        return failure.get();
    }

    /** The error a call on (or pending at) the failed node completes with. */
    NodeFailedException error() {
        return new NodeFailedException(nodeId, failure.get());
    }

    /** Node thread: true the first time it is called after a failure (the node then stops). */
    boolean firstHandling() {
        if (handled || !failed()) {
            return false;
        }
        handled = true;
        return true;
    }

    /** Completes when the node stops: with the fatal error, or null for a normal close. */
    CompletableFuture<Throwable> terminated() {
        return terminated;
    }

    /** The node stopped: completes {@link #terminated()} with the fatal error, or null. */
    void stopped() {
        terminated.complete(failure.get());
    }
}
