package dev.raft.api;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.agrona.DirectBuffer;

/**
 * One Raft node: the facade applications program against. Every method is thread-safe and
 * non-blocking except {@link #awaitMetrics} and {@link #close}.
 *
 * <p>Threads: the futures this node returns are completed on the node's own thread (its Agrona agent's
 * thread, or the thread that steps a steppable node), at the end of the duty cycle that decided them and
 * after the transport poll returned, never inside a transport callback; a dependent action registered
 * with a non-async method ({@code thenApply}, {@code whenComplete}, ...) runs there and delays the node, so
 * hand long work to an executor ({@code thenApplyAsync(fn, executor)}). Futures failed by the caller's own
 * call (a closed node, a full queue, an oversized command) complete on the caller's thread before the
 * method returns.
 *
 * <p>Lifecycle: created (by Guice or {@code new}), {@link #start()}ed once, {@link #close()}d once.
 * Calls after close fail with {@link dev.raft.api.error.NodeClosedException} (futures complete
 * exceptionally with it; {@code start} throws it).
 *
 * <p>Failure handling (fail-stop): a node either serves correctly or stops. Any fatal error, wherever it is
 * raised inside the node — a message handler (even when the transport's poll would catch and only log
 * it), a timer, applying an entry, snapshot IO, the log store's flusher ({@code FlushCallback.onFailed}) —
 * stops it: it no longer votes, replicates or applies, releases its transport and storage, publishes
 * {@link Role#FAILED} in its metrics, completes every pending future exceptionally with
 * {@link dev.raft.api.error.NodeFailedException} (whose cause is the fatal error), and completes
 * {@link #terminated()} with the cause. Later calls fail at once with {@code NodeFailedException}. Fatal
 * errors are {@link Error}s, fatal {@link dev.raft.api.error.StorageException}s, I/O errors and errors
 * thrown by the state machine's apply or restore; a malformed message is never one (it is counted and
 * dropped). An embedding program learns the cause from {@link #terminated()}:
 * <pre>{@code
 * node.terminated().thenAccept(cause -> {
 *     if (cause != null) {                  // null: closed normally
 *         System.err.println("node stopped: " + cause);
 *         System.exit(1);
 *     }
 * });
 * }</pre>
 */
public interface RaftNode extends AutoCloseable {
    /** This node's id. */
    int id();

    /**
     * Starts the node: loads its vote, log and latest snapshot from storage and begins to take part in
     * the cluster. Returns once the node's thread runs.
     *
     * @throws IllegalStateException                       if already started
     * @throws dev.raft.api.error.NodeClosedException       if closed
     * @throws dev.raft.api.error.StorageException          if the storage cannot be read
     */
    void start();

    /**
     * Proposes a command. The bytes are copied before this method returns.
     *
     * @return a future completed with the state machine's response once the command's entry is
     *         committed and applied on this node; completed exceptionally with
     *         {@link dev.raft.api.error.NotLeaderException} (with a leader hint) if this node is not the
     *         leader, {@link dev.raft.api.error.LeadershipLostException} if it loses leadership before
     *         the entry is known committed (the entry may or may not be committed later),
     *         {@link dev.raft.api.error.NodeClosedException} if the node is or gets closed, or
     *         {@link dev.raft.api.error.RaftException} if the proposal queue is full or the command is
     *         longer than {@link dev.raft.api.config.RaftConfig#maxBytesPerAppend()} (one entry must fit
     *         one AppendEntries)
     */
    CompletableFuture<byte[]> propose(DirectBuffer command, int offset, int length);

    /** Proposes a command given as a byte array; see {@link #propose(DirectBuffer, int, int)}. */
    default CompletableFuture<byte[]> propose(byte[] command) {
        return propose(new org.agrona.concurrent.UnsafeBuffer(command), 0, command.length);
    }

    /**
     * Runs a read-only query against the state machine without writing to the log, with the consistency of
     * {@code policy} (see {@link ReadPolicy}). The bytes are copied before this method returns.
     *
     * <p>Where the query runs: {@link dev.raft.api.statemachine.StateMachine#query} is called on the node's
     * thread, between two applies, against the applied state once it has reached the read's index (for
     * {@link ReadPolicy#SERIALIZABLE}, at once against whatever is applied); its result completes the future.
     * A query must be quick: it delays the node like an apply.
     *
     * <p>On a follower or learner, {@code LINEARIZABLE_READ_INDEX} and {@code LEASE} reads ask the leader for
     * a read index and are served locally once applied up to it (follower reads); {@code SERIALIZABLE} reads
     * are served at once.
     *
     * @return a future completed with the query's result, or exceptionally with
     *         {@link dev.raft.api.error.NotLeaderException} (with a leader hint) if this node knows no leader to
     *         confirm the read with; {@link dev.raft.api.error.LeadershipLostException} if the leader stepped
     *         down before the read was confirmed; {@link dev.raft.api.error.ReadNotReadyException} — retriable —
     *         if the leader has not committed an entry of its own term yet (right after an election) or the
     *         read was not confirmed within the minimum election timeout; {@link UnsupportedOperationException}
     *         if the state machine does not implement {@code query}; the query's own exception if it throws;
     *         {@link dev.raft.api.error.NodeClosedException} if the node is or gets closed; or
     *         {@link dev.raft.api.error.RaftException} if the queue of waiting requests is full or the query is
     *         longer than {@link dev.raft.api.config.RaftConfig#maxBytesPerAppend()}. A read changes nothing, so
     *         every failed read may be retried.
     */
    CompletableFuture<byte[]> read(ReadPolicy policy, DirectBuffer query, int offset, int length);

    /** Reads with a query given as a byte array; see {@link #read(ReadPolicy, DirectBuffer, int, int)}. */
    default CompletableFuture<byte[]> read(ReadPolicy policy, byte[] query) {
        return read(policy, new org.agrona.concurrent.UnsafeBuffer(query), 0, query.length);
    }

    /**
     * Asks for a snapshot of the state machine as of the current applied index, built off the node's
     * thread. The future completes with the meta of the snapshot once it is durable, or exceptionally if
     * the build fails or is aborted (for example by an incoming snapshot).
     */
    CompletableFuture<SnapshotMeta> triggerSnapshot();

    /** The latest published metrics. */
    RaftMetrics metrics();

    /**
     * Waits until the published metrics satisfy {@code condition}.
     *
     * @return the first metrics that satisfied it
     * @throws TimeoutException     naming the condition's last seen metrics if {@code timeout} passes first
     * @throws InterruptedException if the waiting thread is interrupted
     */
    RaftMetrics awaitMetrics(Predicate<RaftMetrics> condition, Duration timeout)
        throws TimeoutException, InterruptedException;

    /**
     * Completes when the node has stopped and released its transport and storage: with the fatal error that
     * stopped it (fail-stop; its metrics show {@link Role#FAILED} from the failure on), or with {@code null} once
     * it was closed normally. Completed on the node's
     * thread (or the closing thread); never completed exceptionally.
     */
    CompletableFuture<Throwable> terminated();

    /**
     * Stops the node: completes every pending future exceptionally with
     * {@link dev.raft.api.error.NodeClosedException}, stops its thread, and closes the storage and
     * transport it owns. Idempotent.
     */
    @Override
    void close();
}
