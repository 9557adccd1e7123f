package dev.raft.api;

/**
 * How {@link RaftNode#read} makes sure a query sees every write that completed before the read was issued.
 *
 * <p>Costs, from strongest to cheapest: {@link #LINEARIZABLE_READ_INDEX} costs one heartbeat round to a
 * quorum (shared by every read that arrived meanwhile) and no log entry; {@link #LEASE} costs nothing while
 * the leader's lease holds but trusts clocks; {@link #SERIALIZABLE} costs nothing and may be stale.
 */
public enum ReadPolicy {
    /**
     * Linearizable without trusting clocks (the Raft dissertation §6.4, etcd-raft's ReadIndex): the leader
     * records its commit index, confirms it is still the leader with one heartbeat round answered by a quorum
     * (heartbeats sent after the read arrived), waits until its state machine applied that index, then runs
     * the query. On a follower, the follower asks the leader for that read index, waits until it applied it,
     * and runs the query locally.
     */
    LINEARIZABLE_READ_INDEX,
    /**
     * Linearizable only under a clock assumption (dissertation §6.4.1): the leader serves the read at its
     * commit index without a heartbeat round while its lease holds. The lease starts when a quorum has
     * answered heartbeats sent at time {@code T} and lasts until
     * {@code T + electionTimeoutMinMillis - clockDriftBoundMillis} on the leader's clock: a follower that
     * heard from the leader refuses to vote for anyone else for {@code electionTimeoutMinMillis} on its own
     * clock, so no other leader can exist before then <em>provided</em> every node's monotonic clock runs at
     * a rate whose divergence from the leader's over one election timeout stays below
     * {@link dev.raft.api.config.RaftConfig#clockDriftBoundMillis()}, every node is configured with the same
     * minimum election timeout, and no node forgets a lease by restarting (a restarted follower has no record
     * of the leader it heard from and may vote at once). A process paused longer than the bound (GC, VM
     * migration, SIGSTOP) breaks the assumption. When the lease does not hold, or CheckQuorum is off (the
     * lease relies on it), the read is served as {@link #LINEARIZABLE_READ_INDEX}. On a follower, a LEASE
     * read asks the leader, which answers from its lease when it holds.
     */
    LEASE,
    /**
     * Stale, local: the query runs at once against whatever this node (leader, follower or learner) has
     * applied, with no network round. It may miss writes that completed elsewhere, and a node that is
     * partitioned away may serve arbitrarily old state. Reads from one node never go back in time while that
     * node runs (its applied index only grows), but may after it restarts or between nodes.
     */
    SERIALIZABLE
}
