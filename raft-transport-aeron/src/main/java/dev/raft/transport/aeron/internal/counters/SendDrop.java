package dev.raft.transport.aeron.internal.counters;

/** Why {@code send} dropped a message instead of handing it to the network. Each reason has its own counter. */
public enum SendDrop {
    /** The target is not a member with a configured endpoint. */
    NO_ROUTE("no-route"),
    /** The encoded frame exceeds the publication's max message length (or the wire format's limits). */
    OVERSIZE("oversize"),
    /** The message's sender is not this node, or encoding it failed. */
    INVALID_MESSAGE("invalid-message"),
    /** Still back-pressured after the bounded retries. */
    BACK_PRESSURED("back-pressured"),
    /** The peer was not connected during the bounded retries. */
    NOT_CONNECTED("not-connected"),
    /** Still in an admin action (term rotation) after the bounded retries. */
    ADMIN_ACTION("admin-action"),
    /** The publication was closed: an error, logged once. */
    PUBLICATION_CLOSED("publication-closed"),
    /** The publication reached its max position: an error, logged once. */
    MAX_POSITION_EXCEEDED("max-position-exceeded");

    private final String label;

    SendDrop(String label) {
        this.label = label;
    }

    /** The short name used in counter labels. */
    public String label() {
        return label;
    }
}
