package dev.raft.api.error;

/** The base of every error the framework reports. Unchecked: futures carry it. */
public class RaftException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An error with a message. */
    public RaftException(String message) {
        super(message);
    }

    /** An error with a message and a cause. */
    public RaftException(String message, Throwable cause) {
        super(message, cause);
    }
}
