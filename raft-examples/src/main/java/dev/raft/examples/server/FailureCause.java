package dev.raft.examples.server;

import dev.raft.api.RaftNode;

/** What made a node fail, in one line. */
final class FailureCause {
    private FailureCause() {
    }

    /** The cause, as far as the node's public API tells it. */
    static String of(RaftNode node) {
        return "see the node's ERROR log line for the cause";
    }
}
