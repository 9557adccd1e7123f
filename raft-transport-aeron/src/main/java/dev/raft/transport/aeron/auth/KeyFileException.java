package dev.raft.transport.aeron.auth;

/** A key file cannot be used: missing, unreadable, accessible to group or others, or malformed. The message says which and where. */
public final class KeyFileException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An exception with a one-line message naming the file and what is wrong with it. */
    public KeyFileException(String message) {
        super(message);
    }

    /** An exception with a one-line message naming the file and what is wrong with it, and the IO error behind it. */
    public KeyFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
