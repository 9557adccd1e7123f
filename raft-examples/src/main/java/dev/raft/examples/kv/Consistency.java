package dev.raft.examples.kv;

import dev.raft.api.ReadPolicy;
import dev.raft.examples.internal.codec.RequestKind;

/** How a GET is served: without the log ({@link dev.raft.api.RaftNode#read}) with a {@link ReadPolicy}, or through it. */
public enum Consistency {
    /** ReadIndex: linearizable, one heartbeat round (shared by concurrent reads), no log entry. The default. */
    LINEARIZABLE(RequestKind.READ_LINEARIZABLE, ReadPolicy.LINEARIZABLE_READ_INDEX),
    /** From the leader's lease: linearizable under a clock-drift bound (see {@link ReadPolicy#LEASE}). */
    LEASE(RequestKind.READ_LEASE, ReadPolicy.LEASE),
    /** What the node asked has applied: may be stale. */
    SERIALIZABLE(RequestKind.READ_SERIALIZABLE, ReadPolicy.SERIALIZABLE),
    /** Through the log, as a command: linearizable, one log entry per read (the cost ReadIndex avoids). */
    LOG(RequestKind.COMMAND, null);

    private final RequestKind kind;
    private final ReadPolicy policy;

    Consistency(RequestKind kind, ReadPolicy policy) {
        this.kind = kind;
        this.policy = policy;
    }

    /** The request kind that carries a GET of this consistency. */
    RequestKind requestKind() {
        return kind;
    }

    /** The read policy, or null for {@link #LOG} (a proposal). */
    public ReadPolicy policy() {
        return policy;
    }

    /** The consistency named {@code name} (lower case, as on the command line). */
    public static Consistency parse(String name) {
        for (Consistency c : values()) {
            if (c.name().equalsIgnoreCase(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException("a consistency must be one of linearizable, lease, serializable, log; got '"
            + name + "'");
    }
}
