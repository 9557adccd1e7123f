package dev.raft.api;

/**
 * Rules for node ids. A node id is an {@code int} greater than zero; {@link #NONE} ({@code 0})
 * means "no node" (no vote cast, no leader known). Ids are kept as primitives so that messages and
 * the engine never box them.
 */
public final class NodeId {
    /** The id that stands for "no node". */
    public static final int NONE = 0;

    private NodeId() {
    }

    /** Whether {@code id} is a valid node id (greater than zero). */
    public static boolean isValid(int id) {
        return id > 0;
    }

    /**
     * Returns {@code id} if it is a valid node id.
     *
     * @param id    the id to check
     * @param where what the id is, for the error message (e.g. {@code "RaftConfig.nodeId"})
     * @throws IllegalArgumentException naming {@code where} and the bad value if {@code id <= 0}
     */
    public static int require(int id, String where) {
        if (id <= 0) {
            throw new IllegalArgumentException(where + ": node id must be > 0, got " + id);
        }
        return id;
    }
}
