package dev.raft.core.internal.engine;

/** The role change every handler may need: stepping down on a higher term or to a newly known leader. */
public interface RoleChanges {
    /**
     * Becomes a follower (a learner stays learner) of {@code leader} (or none) in {@code term}: a higher term
     * is persisted with no vote before any later command; a leader that steps down reports its lost
     * leadership.
     */
    void becomeFollower(long term, int leader);

    /**
     * Whether the leader of the current term should handle an answer of {@code responseTerm} to one of its
     * messages: a higher term makes this node a follower; an older term, or an answer reaching a node that
     * no longer leads, is counted stale.
     */
    boolean isAnswerToCurrentLeader(long responseTerm);
}
