package dev.raft.examples.kv;

/**
 * A data directory a node cannot use: held by another process, created for another node or cluster, or not
 * readable or writable. The message is one line naming the directory or file, the operation and why.
 */
public final class DataDirectoryException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** One line saying what is wrong; {@code cause} may be null. */
    public DataDirectoryException(String message, Throwable cause) {
        super(message, cause);
    }
}
