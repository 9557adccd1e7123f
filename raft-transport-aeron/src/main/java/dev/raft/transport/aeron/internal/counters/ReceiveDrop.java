package dev.raft.transport.aeron.internal.counters;

/** Why a received frame was dropped instead of being delivered. Each reason has its own counter. */
public enum ReceiveDrop {
    /** Authentication is on and the frame has no valid tag (checked before anything else is read). */
    BAD_MAC("bad-mac"),
    /** Shorter than the frame header. */
    TRUNCATED_HEADER("truncated-header"),
    /** The header's schema id is not this transport's. */
    UNKNOWN_SCHEMA("unknown-schema"),
    /** The header's schema version is 0 or newer than this transport understands. */
    UNKNOWN_VERSION("unknown-version"),
    /** The header's cluster id is another cluster's. */
    WRONG_CLUSTER("wrong-cluster"),
    /** The header's target id is not this node. */
    WRONG_TARGET("wrong-target"),
    /** The header's sender is not a member (or is this node itself). */
    UNKNOWN_SENDER("unknown-sender"),
    /** The header's template id names no message. */
    UNKNOWN_TEMPLATE("unknown-template"),
    /** A block, group or var-data length is out of the frame's bounds, or bytes trail the message. */
    BAD_LENGTH("bad-length"),
    /** An enum or flag field holds an unknown code. */
    BAD_ENUM("bad-enum"),
    /** A field's value is out of its range (negative term or index, decreasing entry terms, bad snapshot id ...). */
    BAD_FIELD("bad-field"),
    /** The membership bytes of an InstallSnapshot request do not decode. */
    BAD_MEMBERSHIP("bad-membership"),
    /** Authenticated, but its sequence number is not above the last delivered from its sender: a replay. */
    REPLAY("replay"),
    /** Its UDP source is not its claimed sender's host, and {@code SourceCheck.DROP} is configured. */
    SOURCE_MISMATCH("source-mismatch"),
    /** Decoding threw although the frame passed validation: a bug, logged once. */
    DECODE_ERROR("decode-error");

    private final String label;

    ReceiveDrop(String label) {
        this.label = label;
    }

    /** The short name used in counter labels. */
    public String label() {
        return label;
    }
}
