package dev.raft.api;

/**
 * The durable vote of a node: its current term and whom it voted for in that term.
 *
 * <p>A node persists its vote before it answers a vote request or acts as a candidate; a node votes
 * at most once per term. Terms never decrease: a store refuses to save a vote of a lower term than
 * the one it holds (see {@link dev.raft.api.storage.LogStore#saveVote(Vote)}).
 *
 * @param term     the current term, {@code >= 0}
 * @param votedFor the node voted for in {@code term}, or {@link NodeId#NONE}
 */
public record Vote(long term, int votedFor) {
    /** The vote of a node that has never voted: term 0, no candidate. */
    public static final Vote INITIAL = new Vote(0, NodeId.NONE);

    /**
     * @throws IllegalArgumentException if term is negative or votedFor is negative
     */
    public Vote {
        if (term < 0) {
            throw new IllegalArgumentException("Vote: term must be >= 0, got " + term);
        }
        if (votedFor < 0) {
            throw new IllegalArgumentException("Vote: votedFor must be a node id > 0 or 0 for none, got " + votedFor);
        }
    }

    /** Whether a vote was cast in {@link #term()}. */
    public boolean hasVoted() {
        return votedFor != NodeId.NONE;
    }
}
