package dev.raft.api.statemachine;

import dev.raft.api.LogId;
import java.io.IOException;
import java.io.OutputStream;

/** A captured state machine state, written out off the node's thread. */
public interface SnapshotWriter {
    /** The last log id whose effect the captured state contains. */
    LogId lastApplied();

    /**
     * Writes the captured state. Called at most once, from a background thread. The stream is closed by
     * the caller.
     */
    void writeTo(OutputStream out) throws IOException;
}
