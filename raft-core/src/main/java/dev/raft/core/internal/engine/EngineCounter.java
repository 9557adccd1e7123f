package dev.raft.core.internal.engine;

/**
 * The engine's counters: what each one counts, and its label and type id where the runtime publishes it
 * as an Agrona counter (type ids 2001 and up, clear of Aeron's system counters).
 */
public enum EngineCounter {
    /** Elections (or pre-votes) this node started. */
    ELECTIONS_STARTED("elections started"),
    /** Pre-vote rounds this node started. */
    PRE_VOTES_STARTED("pre-votes started"),
    /** Times this node became leader. */
    LEADERSHIPS_WON("leaderships won"),
    /** Messages of an older term, or answering something no longer pending, ignored. */
    STALE_MESSAGES("stale messages ignored"),
    /** Messages whose contents break the protocol's shape (entries not following prevLogIndex, ...), dropped. */
    MALFORMED_DROPPED("malformed messages dropped"),
    /** Messages from non-members or addressed to another node, dropped. */
    UNKNOWN_SENDER_DROPPED("unknown-sender messages dropped"),
    /** Messages of kinds this engine does not handle yet (TimeoutNow), dropped. */
    UNSUPPORTED_DROPPED("unsupported messages dropped"),
    /** AppendEntries that contradicted a committed entry, refused (never expected: logged at ERROR). */
    SAFETY_VIOLATIONS("safety violations"),
    /** Followers whose reported log end was below their recorded match (a lost or replaced disk): re-probed. */
    FOLLOWER_LOGS_LOST("follower logs lost"),
    /** Times a follower needed purged entries (a snapshot). */
    SNAPSHOTS_NEEDED("snapshots needed by followers"),
    /** InstallSnapshot chunks sent by this node as leader. */
    SNAPSHOT_CHUNKS_SENT("snapshot chunks sent"),
    /** Snapshot transfers a follower reported installed. */
    SNAPSHOT_TRANSFERS_COMPLETED("snapshot transfers completed"),
    /** Snapshot transfers resumed or restarted (timeout, failed write, mismatch). */
    SNAPSHOT_TRANSFER_RESUMES("snapshot transfer resumes"),
    /** Snapshots received and installed. */
    SNAPSHOTS_INSTALLED("snapshots installed"),
    /** InstallSnapshot chunks of a snapshot not newer than what was applied, acknowledged and discarded. */
    SNAPSHOTS_SKIPPED_STALE("snapshot chunks skipped as stale"),
    /** InstallSnapshot chunks that did not fit the receive stream (answered MISMATCH). */
    SNAPSHOT_MISMATCHES("snapshot mismatches"),
    /** Snapshot chunk writes (or finishes) that failed. */
    SNAPSHOT_WRITE_FAILURES("snapshot write failures"),
    /** Local snapshot builds aborted by an incoming stream. */
    SNAPSHOT_BUILDS_ABORTED("snapshot builds aborted"),
    /** Receive streams dropped (replaced by a new stream, stale, or abandoned). */
    SNAPSHOT_STREAMS_DROPPED("snapshot streams dropped"),
    /** ReadIndex rounds this node started as leader (one serves a batch of reads). */
    READ_ROUNDS("read rounds started"),
    /** Reads (local or a follower's) this node served from its lease as leader, without a round. */
    LEASE_READS("lease reads served"),
    /** Read index requests this node sent to the leader as follower (one per batch of follower reads). */
    READ_INDEX_REQUESTS("read index requests sent"),
    /** Pre-vote rounds this node abandoned to make way for a rival pre-candidate whose vote it granted. */
    PRE_VOTES_YIELDED("pre-votes yielded to a rival"),
    /** Leaderships handed to a follower with a TimeoutNow on stepping down for want of a quorum (CheckQuorum). */
    LEADERSHIP_HANDOFFS("leaderships handed off on stepping down");

    /** The Agrona counter type id of the first counter; the others follow in declaration order. */
    public static final int FIRST_TYPE_ID = 2001;

    private final String label;

    EngineCounter(String label) {
        this.label = label;
    }

    /** The counter's label (the node id is prefixed where it is published). */
    public String label() {
        return label;
    }

    /** The counter's Agrona type id. */
    public int typeId() {
        return FIRST_TYPE_ID + ordinal();
    }
}
