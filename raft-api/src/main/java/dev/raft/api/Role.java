package dev.raft.api;

/** The role of a node. */
public enum Role {
    /** Follows a leader; a voter. */
    FOLLOWER,
    /** Runs a pre-vote: asks whether it could win an election, without bumping its term. */
    PRE_CANDIDATE,
    /** Runs an election in a new term. */
    CANDIDATE,
    /** Leads the cluster in its term. */
    LEADER,
    /** Receives the log but never votes nor stands for election. */
    LEARNER,
    /** The node has been closed. */
    SHUTDOWN,
    /**
     * The node stopped after a fatal error (fail-stop): it no longer votes, replicates or applies; the cause
     * is {@link RaftNode#terminated()}'s value.
     */
    FAILED
}
