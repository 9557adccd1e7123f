package dev.raft.api.statemachine;

import dev.raft.api.EntryView;
import dev.raft.api.LogId;
import dev.raft.api.SnapshotMeta;
import java.io.IOException;
import java.io.InputStream;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The application's replicated state. The node calls every method from its own thread, one call at a
 * time, so an apply and a restore never interleave.
 *
 * <p>The state machine is volatile: on start it is empty ({@link #lastApplied()} is
 * {@link LogId#NONE}); the node restores the latest snapshot into it and re-applies the committed log
 * after it. Durability comes from the log and the snapshot store, never from the state machine.
 */
public interface StateMachine {
    /**
     * Applies one committed entry. Called for every entry in index order, each exactly once since the
     * last {@link #restore} (or since start): {@code entry.index() == lastApplied().index() + 1}.
     * {@link dev.raft.api.EntryType#BLANK} and {@link dev.raft.api.EntryType#MEMBERSHIP} entries are
     * passed too, so that {@link #lastApplied()} advances; they carry no command.
     *
     * <p>Must be deterministic: every node applies the same entries and must reach the same state. The
     * view and its payload are valid only during the call.
     *
     * @return the response to the client that proposed a {@code NORMAL} entry (delivered only on the
     *         node where it was proposed), or {@code null}
     */
    byte[] apply(EntryView entry);

    /**
     * The allocation-free form of {@link #apply(EntryView)}, and the one the node calls: applies one committed entry
     * (under the same rules) and writes the response, if any, into {@code response} from offset 0. The node passes a
     * buffer only where a caller waits for this entry's response (the node it was proposed on, while it leads);
     * elsewhere {@code response} is null, and the state machine applies the entry and builds no response.
     *
     * <p>The default calls {@link #apply(EntryView)} and copies its array; a state machine on a hot path overrides
     * this method (and implements {@code apply(EntryView)} through it), so that no array is made per entry.
     *
     * @param response where the response goes (it grows as it is written: {@link MutableDirectBuffer#isExpandable()}),
     *                 valid only during the call; null when nobody waits for the response on this node
     * @return the response's length in {@code response}, or -1 for none (the proposer then receives null); any
     *         value when {@code response} is null
     */
    default int apply(EntryView entry, MutableDirectBuffer response) {
        final byte[] answer = apply(entry);
        if (answer == null) {
            return -1;
        }
        if (response != null) {
            response.putBytes(0, answer);
        }
        return answer.length;
    }

    /**
     * Answers a read-only query ({@link dev.raft.api.RaftNode#read}) from the applied state, on the node's
     * thread, between two applies (never concurrently with {@link #apply} or {@link #restore}). Must not change
     * the state and must be quick. The query bytes are valid only during the call.
     *
     * <p>The default refuses: a state machine that serves reads without the log overrides it.
     *
     * @return the answer to the caller of {@code read}
     * @throws UnsupportedOperationException if this state machine answers no queries (the default)
     */
    default byte[] query(DirectBuffer query, int offset, int length) {
        throw new UnsupportedOperationException(getClass().getName()
            + " does not implement StateMachine.query: reads must go through the log (propose)");
    }

    /** The id of the last applied entry, or the restored snapshot's last log id, or {@link LogId#NONE}. */
    LogId lastApplied();

    /**
     * Captures the state as of {@link #lastApplied()}. Must return quickly (copy-on-write, a persistent
     * data structure, or a copy): the returned writer runs on another thread while later entries are
     * applied, and must write exactly the captured state.
     */
    SnapshotWriter takeSnapshot();

    /**
     * Replaces the whole state with the snapshot's. Afterwards {@link #lastApplied()} equals
     * {@code meta.lastLogId()}.
     *
     * @throws IOException if the data cannot be read or is malformed; the state is then unspecified and
     *                     the node stops
     */
    void restore(SnapshotMeta meta, InputStream data) throws IOException;
}
