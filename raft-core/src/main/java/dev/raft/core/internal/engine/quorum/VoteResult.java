package dev.raft.core.internal.engine.quorum;

/** The outcome of a vote so far (etcd-raft's {@code VoteResult}). */
public enum VoteResult {
    /** Neither a quorum of grants nor enough rejections to rule one out yet. */
    PENDING,
    /** A quorum granted. */
    WON,
    /** So many rejected that no quorum can grant any more. */
    LOST
}
