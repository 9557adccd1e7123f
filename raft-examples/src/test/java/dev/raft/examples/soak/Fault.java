package dev.raft.examples.soak;

/** The faults a soak round injects. */
enum Fault {
    /** SIGKILL of the leader; restarted after the hold. */
    KILL_LEADER,
    /** SIGKILL of a random node; restarted after the hold. */
    KILL_RANDOM,
    /** The leader cut off from every peer (both ways) through the fault-injecting transport. */
    ISOLATE_LEADER,
    /** A random minority cut off from the majority (both ways); the leader may be in it. */
    ISOLATE_MINORITY,
    /** One-way loss: the leader hears nobody (its messages still go out), or a follower's answers to the leader are lost. */
    ONE_WAY_LOSS,
    /** A follower's data directory (a tmpfs) runs out of space while it replicates, then space returns. */
    DISK_FULL,
    /** A follower stopped, its directory wiped, brought back after a new term started (the safe procedure). */
    WIPE_FOLLOWER;

    /** Whether the fault is a partition mode (cut through the fault-injecting transport). */
    boolean partition() {
        return this == ISOLATE_LEADER || this == ISOLATE_MINORITY || this == ONE_WAY_LOSS;
    }
}
