package dev.raft.api.error;

/**
 * Storage failed. A <em>fatal</em> error means the store can no longer be trusted (corruption, a
 * failed force, a lost lock): the node stops. A <em>retryable</em> one (for example a snapshot
 * chunk write that failed for lack of space) leaves the store consistent, and the operation may be
 * tried again.
 */
public class StorageException extends RaftException {
    private static final long serialVersionUID = 1L;

    private final boolean fatal;

    /**
     * @param message what failed and where (file, offset, index)
     * @param fatal   whether the store can no longer be trusted
     * @param cause   the underlying error, or null
     */
    public StorageException(String message, boolean fatal, Throwable cause) {
        super(message, cause);
        this.fatal = fatal;
    }

    /** A fatal error. */
    public static StorageException fatal(String message, Throwable cause) {
        return new StorageException(message, true, cause);
    }

    /** A retryable error. */
    public static StorageException retryable(String message, Throwable cause) {
        return new StorageException(message, false, cause);
    }

    /** Whether the store can no longer be trusted. */
    public boolean isFatal() {
        return fatal;
    }

    /** Whether the failed operation may be tried again. */
    public boolean isRetryable() {
        return !fatal;
    }
}
