package dev.raft.core.internal.engine.read;

/** Why the engine failed a batch of reads (the {@code READ_FAILED} command). Every one is retriable. */
public enum ReadFailure {
    /** This node knows no leader, or the node asked is not the leader. */
    NOT_LEADER,
    /** The leader has not committed an entry of its term yet, or no quorum confirmed it in time. */
    NOT_READY
}
