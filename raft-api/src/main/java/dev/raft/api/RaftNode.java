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
     *         leader, {@link dev.raft.api.error.LeadershipTransferInProgressException} (retriable, fails fast)
     *         while it hands its leadership to another node, {@link dev.raft.api.error.LeadershipLostException} if it loses leadership before
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
     * Attaches a service that runs on this node's own thread in every duty cycle (see
     * {@link dev.raft.api.service.NodeService}): it proposes and reads with no queue, copy into a queue or future
     * per request. Its {@code onAttach} runs on the node thread before the future completes.
     *
     * @return a future completed once the service is attached; exceptionally with
     *         {@link dev.raft.api.error.NodeClosedException} or {@link dev.raft.api.error.NodeFailedException} if
     *         the node is closed or failed, or {@link IllegalArgumentException} if the service is already attached
     */
    CompletableFuture<Void> attach(dev.raft.api.service.NodeService service);

    /**
     * Detaches a service: it is polled no more, its {@code onDetach} runs on the node thread, then the future
     * completes. Outcomes of its proposals and reads still pending are delivered to their listeners later as
     * they are decided (a proposal may still be applied), so a detached service must ignore them. Closing the
     * node first fails every pending outcome, then detaches every service.
     *
     * @return a future completed once the service is detached (at once if it is not attached)
     */
    CompletableFuture<Void> detach(dev.raft.api.service.NodeService service);

    /**
     * Asks for a snapshot of the state machine as of the current applied index, built off the node's
     * thread. The future completes with the meta of the snapshot once it is durable, or exceptionally if
     * the build fails or is aborted (for example by an incoming snapshot).
     */
    CompletableFuture<SnapshotMeta> triggerSnapshot();

    /**
     * Changes the cluster's membership by joint consensus (Raft paper §6): when the voters change, the leader
     * appends the joint configuration C(old,new) (every decision then needs a majority of the old and of the
     * new voters), and once it is committed the final one C(new); when only the learners change, it appends
     * C(new) at once. A configuration takes effect on each node when appended to its log. Members that stay
     * keep their endpoints; nodes not in {@code voters} or {@code learners} are removed (a removed leader
     * steps down once C(new) is committed). Call it on the leader; it is not forwarded.
     *
     * <p>Rules: {@code voters} is non-empty; no id twice; a learner is no voter; every new voter must be a
     * learner of the membership in force whose log is within {@link dev.raft.api.config.RaftConfig#maxPromotionLag()}
     * entries of the leader's (add it with {@link #addLearner} first); a voter cannot become a learner in one
     * change (remove it, then add it as a learner).
     *
     * @param voters   the voters of the new configuration
     * @param learners the learners of the new configuration
     * @return a future completed with the final membership once it is committed; or exceptionally with
     *         <ul>
     *           <li>{@link dev.raft.api.error.NotLeaderException} (with a leader hint) if this node is not the
     *               leader — retriable at the leader;</li>
     *           <li>{@link dev.raft.api.error.MembershipChangeInProgressException} naming the change in
     *               progress if another change is not yet committed — retriable once it completes;</li>
     *           <li>{@link dev.raft.api.error.LeadershipTransferInProgressException} during a leadership
     *               transfer — retriable;</li>
     *           <li>{@link dev.raft.api.error.LearnerLagException} naming the lag if a learner to promote lags
     *               too far — retriable once it caught up;</li>
     *           <li>{@link IllegalArgumentException} naming the rule broken — not retriable;</li>
     *           <li>{@link dev.raft.api.error.LeadershipLostException} if this node loses its leadership before
     *               the final configuration is known committed (the change may still complete under the next
     *               leader, which finishes a committed joint configuration: read the membership again);</li>
     *           <li>{@link dev.raft.api.error.NodeClosedException} / {@link dev.raft.api.error.NodeFailedException}.</li>
     *         </ul>
     */
    CompletableFuture<Membership> changeMembership(int[] voters, int[] learners);

    /**
     * {@link #changeMembership(int[], int[])} as a compare-and-set: refused unless the membership in force is
     * the one appended at log index {@code expectedConfigIndex} ({@link RaftMetrics#membershipIndex()}), so
     * that two operators cannot overwrite each other's change.
     *
     * @return as {@link #changeMembership(int[], int[])}, and completed exceptionally with
     *         {@link dev.raft.api.error.ConfigIndexMismatchException} naming the expected and the actual index
     *         when they differ — not retriable as is: read the membership again
     */
    CompletableFuture<Membership> changeMembership(long expectedConfigIndex, int[] voters, int[] learners);

    /**
     * Adds node {@code id}, listening at {@code endpoint} ({@code "host:port"}), as a learner: it receives the log
     * and snapshots but never votes and never counts for a quorum. One configuration entry (the voters do not
     * change). Adding a node that is already a learner with the same endpoint completes at once.
     *
     * @return a future completed with the new membership once committed; or exceptionally as
     *         {@link #changeMembership(int[], int[])} ({@link IllegalArgumentException} if {@code id} is a
     *         voter or the endpoint is malformed)
     */
    CompletableFuture<Membership> addLearner(int id, String endpoint);

    /**
     * Hands this leader's leadership to voter {@code targetId} (Raft dissertation §3.10): the leader stops
     * accepting proposals — they fail fast with the retriable
     * {@link dev.raft.api.error.LeadershipTransferInProgressException}, and so do membership changes — brings the
     * target's log up to date, then sends it TimeoutNow; the target campaigns at once, and its voters set aside
     * their leader lease for it. A transfer to this node itself completes at once.
     *
     * @return a future completed once this node knows {@code targetId} leads; or exceptionally with
     *         <ul>
     *           <li>{@link dev.raft.api.error.LeadershipTransferException}, retriable, if the target did not win
     *               within an election timeout (the maximum, {@link dev.raft.api.config.RaftConfig#electionTimeoutMaxMillis()}):
     *               this node then resumes as leader, or if another node won; not retriable if the target is not
     *               a voter of the membership in force;</li>
     *           <li>{@link dev.raft.api.error.NotLeaderException} if this node is not the leader;</li>
     *           <li>{@link dev.raft.api.error.LeadershipTransferInProgressException} if a transfer is already in
     *               progress, {@link dev.raft.api.error.MembershipChangeInProgressException} during a change;</li>
     *           <li>{@link dev.raft.api.error.NodeClosedException} / {@link dev.raft.api.error.NodeFailedException}.</li>
     *         </ul>
     */
    CompletableFuture<Void> transferLeadership(int targetId);

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
