package dev.raft.api.config;

import dev.raft.api.Membership;
import dev.raft.api.NodeId;
import dev.raft.api.error.InvalidConfigException;

/**
 * The configuration of one Raft node. Immutable; built with {@link #builder()} and validated by
 * {@link Builder#build()}, which names the first bad field, its value and the allowed range.
 *
 * <p>Times are in milliseconds of the node's injected clock.
 */
public final class RaftConfig {
    /**
     * Largest accepted {@link #snapshotChunkBytes()}: 1 MiB, so that a chunk with its headers fits one
     * transport message (Aeron's default term length of 16 MiB allows messages of 2 MiB).
     */
    public static final int MAX_SNAPSHOT_CHUNK_BYTES = 1024 * 1024;

    /** Largest accepted {@link #maxBytesPerAppend()}: 1 MiB, for the same reason. */
    public static final int MAX_BYTES_PER_APPEND = 1024 * 1024;

    /** Largest accepted {@link #maxEntriesPerAppend()}: an SBE repeating group counts at most 65,534 entries. */
    public static final int MAX_ENTRIES_PER_APPEND = 65_534;

    private final int nodeId;
    private final Membership initialMembership;
    private final long electionTimeoutMinMillis;
    private final long electionTimeoutMaxMillis;
    private final long heartbeatIntervalMillis;
    private final boolean preVote;
    private final boolean checkQuorum;
    private final long clockDriftBoundMillis;
    private final int maxEntriesPerAppend;
    private final int maxBytesPerAppend;
    private final int maxInflightAppends;
    private final int snapshotChunkBytes;
    private final int maxInflightSnapshotChunks;
    private final long snapshotTransferTimeoutMillis;
    private final long snapshotEveryAppliedEntries;
    private final long maxAppliedLogToKeep;
    private final int proposalQueueCapacity;
    private final IdleMode idleMode;
    private final long maxParkMicros;
    private final long maxPromotionLag;

    private RaftConfig(Builder b) {
        nodeId = b.nodeId;
        initialMembership = b.initialMembership;
        electionTimeoutMinMillis = b.electionTimeoutMinMillis;
        electionTimeoutMaxMillis = b.electionTimeoutMaxMillis;
        heartbeatIntervalMillis = b.heartbeatIntervalMillis;
        preVote = b.preVote;
        checkQuorum = b.checkQuorum;
        clockDriftBoundMillis = b.resolvedDriftBound();
        maxEntriesPerAppend = b.maxEntriesPerAppend;
        maxBytesPerAppend = b.maxBytesPerAppend;
        maxInflightAppends = b.maxInflightAppends;
        snapshotChunkBytes = b.snapshotChunkBytes;
        maxInflightSnapshotChunks = b.maxInflightSnapshotChunks;
        snapshotTransferTimeoutMillis = b.snapshotTransferTimeoutMillis;
        snapshotEveryAppliedEntries = b.snapshotEveryAppliedEntries;
        maxAppliedLogToKeep = b.maxAppliedLogToKeep;
        proposalQueueCapacity = b.proposalQueueCapacity;
        idleMode = b.idleMode;
        maxParkMicros = b.maxParkMicros;
        maxPromotionLag = b.maxPromotionLag;
    }

    /** A builder with the defaults; {@code nodeId} and {@code initialMembership} must be set. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration's values. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** This node's id. */
    public int nodeId() {
        return nodeId;
    }

    /** The membership a node with an empty log starts with (before any membership entry or snapshot). */
    public Membership initialMembership() {
        return initialMembership;
    }

    /** Lower bound of the randomized election timeout. Default 150. */
    public long electionTimeoutMinMillis() {
        return electionTimeoutMinMillis;
    }

    /** Upper bound (exclusive) of the randomized election timeout. Default 300. */
    public long electionTimeoutMaxMillis() {
        return electionTimeoutMaxMillis;
    }

    /** How often a leader sends heartbeats to an idle follower. Default 50. */
    public long heartbeatIntervalMillis() {
        return heartbeatIntervalMillis;
    }

    /** Whether a node runs a pre-vote before it bumps its term (dissertation §9.6). Default true. */
    public boolean preVote() {
        return preVote;
    }

    /** Whether a leader that has not heard from a quorum within an election timeout steps down. Default true. */
    public boolean checkQuorum() {
        return checkQuorum;
    }

    /**
     * The bound on clock drift that {@link dev.raft.api.ReadPolicy#LEASE} reads assume: over one minimum
     * election timeout, no node's monotonic clock may fall behind or run ahead of the leader's by more than
     * this many milliseconds (pauses of a process count as drift). The lease of a leader whose heartbeats sent
     * at {@code T} were answered by a quorum lasts until {@code T + electionTimeoutMinMillis - clockDriftBoundMillis}.
     * Must be below {@link #electionTimeoutMinMillis()}. Default: a fifth of {@link #electionTimeoutMinMillis()}
     * (30 with the default timeouts).
     */
    public long clockDriftBoundMillis() {
        return clockDriftBoundMillis;
    }

    /** Most entries in one AppendEntries. Default 1024. */
    public int maxEntriesPerAppend() {
        return maxEntriesPerAppend;
    }

    /**
     * Most payload bytes in one AppendEntries (at least one entry is always sent). Also the largest command
     * a node accepts: {@code propose} refuses a longer one. Default 1 MiB.
     */
    public int maxBytesPerAppend() {
        return maxBytesPerAppend;
    }

    /** Most AppendEntries in flight to one follower while replicating. Default 16. */
    public int maxInflightAppends() {
        return maxInflightAppends;
    }

    /** Size of an InstallSnapshot chunk. Default 1 MiB. */
    public int snapshotChunkBytes() {
        return snapshotChunkBytes;
    }

    /** Most InstallSnapshot chunks in flight to one follower. Default 4. */
    public int maxInflightSnapshotChunks() {
        return maxInflightSnapshotChunks;
    }

    /** After this long without an answer, a snapshot transfer resumes from the last acknowledged offset. Default 5000. */
    public long snapshotTransferTimeoutMillis() {
        return snapshotTransferTimeoutMillis;
    }

    /** Build a snapshot every this many applied entries; 0 disables the policy. Default 100,000. */
    public long snapshotEveryAppliedEntries() {
        return snapshotEveryAppliedEntries;
    }

    /** Applied entries kept in the log when it is purged after a snapshot. Default 1000. */
    public long maxAppliedLogToKeep() {
        return maxAppliedLogToKeep;
    }

    /** Capacity of the queue of proposals waiting for the node's thread. Default 65,536. */
    public int proposalQueueCapacity() {
        return proposalQueueCapacity;
    }

    /** How the node's thread idles. Default {@link IdleMode#BACKOFF}. */
    public IdleMode idleMode() {
        return idleMode;
    }

    /** Longest park of the {@link IdleMode#BACKOFF} strategy, in microseconds. Default 100. */
    public long maxParkMicros() {
        return maxParkMicros;
    }

    /**
     * The most entries a learner's log may lag the leader's for the learner to be promoted to voter
     * ({@code RaftNode.changeMembership}); a learner further behind is refused with its lag. Default 1000.
     */
    public long maxPromotionLag() {
        return maxPromotionLag;
    }

    @Override
    public String toString() {
        return "RaftConfig{nodeId=" + nodeId + ", initialMembership=" + initialMembership
            + ", electionTimeoutMillis=[" + electionTimeoutMinMillis + ", " + electionTimeoutMaxMillis + ")"
            + ", heartbeatIntervalMillis=" + heartbeatIntervalMillis + ", preVote=" + preVote
            + ", checkQuorum=" + checkQuorum + ", clockDriftBoundMillis=" + clockDriftBoundMillis
            + ", maxEntriesPerAppend=" + maxEntriesPerAppend
            + ", maxBytesPerAppend=" + maxBytesPerAppend + ", maxInflightAppends=" + maxInflightAppends
            + ", snapshotChunkBytes=" + snapshotChunkBytes + ", maxInflightSnapshotChunks=" + maxInflightSnapshotChunks
            + ", snapshotTransferTimeoutMillis=" + snapshotTransferTimeoutMillis
            + ", snapshotEveryAppliedEntries=" + snapshotEveryAppliedEntries
            + ", maxAppliedLogToKeep=" + maxAppliedLogToKeep + ", proposalQueueCapacity=" + proposalQueueCapacity
            + ", idleMode=" + idleMode + ", maxParkMicros=" + maxParkMicros + ", maxPromotionLag=" + maxPromotionLag + "}";
    }

    /** Builds a {@link RaftConfig}. Setters do not validate; {@link #build()} does. */
    public static final class Builder {
        private int nodeId;
        private Membership initialMembership;
        private long electionTimeoutMinMillis = 150;
        private long electionTimeoutMaxMillis = 300;
        private long heartbeatIntervalMillis = 50;
        private boolean preVote = true;
        private boolean checkQuorum = true;
        /** -1: a fifth of the minimum election timeout. */
        private long clockDriftBoundMillis = -1;
        private int maxEntriesPerAppend = 1024;
        private int maxBytesPerAppend = 1024 * 1024;
        private int maxInflightAppends = 16;
        private int snapshotChunkBytes = 1024 * 1024;
        private int maxInflightSnapshotChunks = 4;
        private long snapshotTransferTimeoutMillis = 5000;
        private long snapshotEveryAppliedEntries = 100_000;
        private long maxAppliedLogToKeep = 1000;
        private int proposalQueueCapacity = 65_536;
        private IdleMode idleMode = IdleMode.BACKOFF;
        private long maxParkMicros = 100;
        private long maxPromotionLag = 1000;

        private Builder() {
        }

        private Builder(RaftConfig c) {
            nodeId = c.nodeId;
            initialMembership = c.initialMembership;
            electionTimeoutMinMillis = c.electionTimeoutMinMillis;
            electionTimeoutMaxMillis = c.electionTimeoutMaxMillis;
            heartbeatIntervalMillis = c.heartbeatIntervalMillis;
            preVote = c.preVote;
            checkQuorum = c.checkQuorum;
            clockDriftBoundMillis = c.clockDriftBoundMillis;
            maxEntriesPerAppend = c.maxEntriesPerAppend;
            maxBytesPerAppend = c.maxBytesPerAppend;
            maxInflightAppends = c.maxInflightAppends;
            snapshotChunkBytes = c.snapshotChunkBytes;
            maxInflightSnapshotChunks = c.maxInflightSnapshotChunks;
            snapshotTransferTimeoutMillis = c.snapshotTransferTimeoutMillis;
            snapshotEveryAppliedEntries = c.snapshotEveryAppliedEntries;
            maxAppliedLogToKeep = c.maxAppliedLogToKeep;
            proposalQueueCapacity = c.proposalQueueCapacity;
            idleMode = c.idleMode;
            maxParkMicros = c.maxParkMicros;
            maxPromotionLag = c.maxPromotionLag;
        }

        /** See {@link RaftConfig#nodeId()}. */
        public Builder nodeId(int v) {
            nodeId = v;
            return this;
        }

        /** See {@link RaftConfig#initialMembership()}. */
        public Builder initialMembership(Membership v) {
            initialMembership = v;
            return this;
        }

        /** See {@link RaftConfig#electionTimeoutMinMillis()} and {@link RaftConfig#electionTimeoutMaxMillis()}. */
        public Builder electionTimeoutMillis(long min, long max) {
            electionTimeoutMinMillis = min;
            electionTimeoutMaxMillis = max;
            return this;
        }

        /** See {@link RaftConfig#heartbeatIntervalMillis()}. */
        public Builder heartbeatIntervalMillis(long v) {
            heartbeatIntervalMillis = v;
            return this;
        }

        /** See {@link RaftConfig#preVote()}. */
        public Builder preVote(boolean v) {
            preVote = v;
            return this;
        }

        /** See {@link RaftConfig#checkQuorum()}. */
        public Builder checkQuorum(boolean v) {
            checkQuorum = v;
            return this;
        }

        /** See {@link RaftConfig#clockDriftBoundMillis()}; -1 for the default. */
        public Builder clockDriftBoundMillis(long v) {
            clockDriftBoundMillis = v;
            return this;
        }

        /** See {@link RaftConfig#maxEntriesPerAppend()}. */
        public Builder maxEntriesPerAppend(int v) {
            maxEntriesPerAppend = v;
            return this;
        }

        /** See {@link RaftConfig#maxBytesPerAppend()}. */
        public Builder maxBytesPerAppend(int v) {
            maxBytesPerAppend = v;
            return this;
        }

        /** See {@link RaftConfig#maxInflightAppends()}. */
        public Builder maxInflightAppends(int v) {
            maxInflightAppends = v;
            return this;
        }

        /** See {@link RaftConfig#snapshotChunkBytes()}. */
        public Builder snapshotChunkBytes(int v) {
            snapshotChunkBytes = v;
            return this;
        }

        /** See {@link RaftConfig#maxInflightSnapshotChunks()}. */
        public Builder maxInflightSnapshotChunks(int v) {
            maxInflightSnapshotChunks = v;
            return this;
        }

        /** See {@link RaftConfig#snapshotTransferTimeoutMillis()}. */
        public Builder snapshotTransferTimeoutMillis(long v) {
            snapshotTransferTimeoutMillis = v;
            return this;
        }

        /** See {@link RaftConfig#snapshotEveryAppliedEntries()}. */
        public Builder snapshotEveryAppliedEntries(long v) {
            snapshotEveryAppliedEntries = v;
            return this;
        }

        /** See {@link RaftConfig#maxAppliedLogToKeep()}. */
        public Builder maxAppliedLogToKeep(long v) {
            maxAppliedLogToKeep = v;
            return this;
        }

        /** See {@link RaftConfig#proposalQueueCapacity()}. */
        public Builder proposalQueueCapacity(int v) {
            proposalQueueCapacity = v;
            return this;
        }

        /** See {@link RaftConfig#idleMode()}. */
        public Builder idleMode(IdleMode v) {
            idleMode = v;
            return this;
        }

        /** See {@link RaftConfig#maxParkMicros()}. */
        public Builder maxParkMicros(long v) {
            maxParkMicros = v;
            return this;
        }

        /** See {@link RaftConfig#maxPromotionLag()}. */
        public Builder maxPromotionLag(long v) {
            maxPromotionLag = v;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws InvalidConfigException naming the first field out of range, its value and the allowed range
         */
        public RaftConfig build() {
            if (!NodeId.isValid(nodeId)) {
                throw new InvalidConfigException("RaftConfig.nodeId", nodeId, "a node id > 0");
            }
            if (initialMembership == null) {
                throw new InvalidConfigException("RaftConfig.initialMembership", null, "a non-null Membership");
            }
            check("electionTimeoutMinMillis", electionTimeoutMinMillis, 1, 3_600_000);
            check("electionTimeoutMaxMillis", electionTimeoutMaxMillis, electionTimeoutMinMillis + 1, 3_600_001,
                "electionTimeoutMinMillis+1 (= " + (electionTimeoutMinMillis + 1) + ")..3600001");
            check("heartbeatIntervalMillis", heartbeatIntervalMillis, 1, electionTimeoutMinMillis - 1,
                "1..electionTimeoutMinMillis-1 (= " + (electionTimeoutMinMillis - 1) + ")");
            check("clockDriftBoundMillis", resolvedDriftBound(), 0, electionTimeoutMinMillis - 1,
                "0..electionTimeoutMinMillis-1 (= " + (electionTimeoutMinMillis - 1) + ")");
            check("maxEntriesPerAppend", maxEntriesPerAppend, 1, MAX_ENTRIES_PER_APPEND);
            check("maxBytesPerAppend", maxBytesPerAppend, 1, MAX_BYTES_PER_APPEND);
            check("maxInflightAppends", maxInflightAppends, 1, 1024);
            check("snapshotChunkBytes", snapshotChunkBytes, 1, MAX_SNAPSHOT_CHUNK_BYTES);
            check("maxInflightSnapshotChunks", maxInflightSnapshotChunks, 1, 64);
            check("snapshotTransferTimeoutMillis", snapshotTransferTimeoutMillis, 1, 3_600_000);
            check("snapshotEveryAppliedEntries", snapshotEveryAppliedEntries, 0, Long.MAX_VALUE);
            check("maxAppliedLogToKeep", maxAppliedLogToKeep, 0, Long.MAX_VALUE);
            check("proposalQueueCapacity", proposalQueueCapacity, 2, 1 << 24);
            if (idleMode == null) {
                throw new InvalidConfigException("RaftConfig.idleMode", null, "one of BACKOFF, BUSY_SPIN, YIELD");
            }
            check("maxParkMicros", maxParkMicros, 1, 1_000_000);
            check("maxPromotionLag", maxPromotionLag, 0, Long.MAX_VALUE);
            return new RaftConfig(this);
        }

        private long resolvedDriftBound() {
            return clockDriftBoundMillis == -1 ? electionTimeoutMinMillis / 5 : clockDriftBoundMillis;
        }

        private static void check(String field, long value, long min, long max) {
            check(field, value, min, max, null);
        }

        private static void check(String field, long value, long min, long max, String allowed) {
            if (allowed == null) {
                InvalidConfigException.requireInRange("RaftConfig." + field, value, min, max);
            } else if (value < min || value > max) {
                throw new InvalidConfigException("RaftConfig." + field, value, allowed);
            }
        }
    }
}
