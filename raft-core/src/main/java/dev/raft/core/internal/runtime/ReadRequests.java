package dev.raft.core.internal.runtime;

import dev.raft.api.ReadPolicy;
import dev.raft.api.error.LeadershipLostException;
import dev.raft.api.error.NotLeaderException;
import dev.raft.api.error.ReadNotReadyException;
import dev.raft.api.service.OutcomeListener;
import dev.raft.api.statemachine.StateMachine;
import dev.raft.core.internal.engine.RaftEngine;
import dev.raft.core.internal.engine.RaftState;
import dev.raft.core.internal.engine.read.ReadFailure;
import dev.raft.core.internal.engine.read.Reads;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The runtime's side of reads without the log ({@link dev.raft.api.RaftNode#read}): a lock-free queue of
 * queries from any thread; on the node thread, submission to the engine (numbered in order), the reads
 * waiting for the engine's answer, the reads ready at an index waiting for the state machine to apply it,
 * the queries run between applies, and the futures completed after the transport poll ({@link
 * #completeStaged()}). Node thread only, but for {@link #offer}.
 */
final class ReadRequests {
    /** A query waiting for the node thread. */
    private static final class Read {
        final ReadPolicy policy;
        final byte[] query;
        final CompletableFuture<byte[]> future;
        final OutcomeListener listener;
        final long correlation;
        long id;
        long index;
        long deadline;
        Object outcome;

        Read(ReadPolicy policy, byte[] query, CompletableFuture<byte[]> future, OutcomeListener listener,
             long correlation) {
            this.policy = policy;
            this.query = query;
            this.future = future;
            this.listener = listener;
            this.correlation = correlation;
        }

        void complete(Object result) {
            if (listener == null) {
                if (result instanceof Throwable t) {
                    future.completeExceptionally(t);
                } else {
                    future.complete((byte[]) result);
                }
            } else if (result instanceof RuntimeException e) {
                listener.onError(correlation, e);
            } else {
                listener.onResult(correlation, (byte[]) result);
            }
        }
    }

    private final int nodeId;
    private final StateMachine stateMachine;
    private final RaftEngine engine;
    private final Applier applier;
    private final long waitNanos;
    private final int capacity;
    private final ManyToOneConcurrentArrayQueue<Read> queue;
    private final Consumer<Read> submitter = this::submit;
    /** Reads the engine has not answered, in id order. */
    private final ArrayDeque<Read> unanswered = new ArrayDeque<>();
    /** Reads ready at an index, waiting for it to be applied, in answer order. */
    private final ArrayDeque<Read> ready = new ArrayDeque<>();
    /** Reads with an outcome (a result or an error), completed after the poll. */
    private final ArrayDeque<Read> staged = new ArrayDeque<>();
    private final UnsafeBuffer queryBuffer = new UnsafeBuffer(new byte[0]);
    private long nextId;
    private long now;

    /**
     * @param waitNanos how long a read may wait in all before it fails as not ready (for a follower that
     *                  stops applying, say)
     */
    ReadRequests(int nodeId, StateMachine stateMachine, RaftEngine engine, Applier applier, int capacity,
                 long waitNanos) {
        this.nodeId = nodeId;
        this.stateMachine = stateMachine;
        this.engine = engine;
        this.applier = applier;
        this.waitNanos = waitNanos;
        this.capacity = capacity;
        this.queue = new ManyToOneConcurrentArrayQueue<>(capacity);
    }

    /** Any thread: queues a read; false if the queue is full. */
    boolean offer(ReadPolicy policy, byte[] query, CompletableFuture<byte[]> future) {
        return queue.offer(new Read(policy, query, future, null, 0));
    }

    /**
     * Node thread: submits a service's read at once (the query bytes are copied); its listener hears the outcome.
     *
     * @return false if too many reads wait (the capacity of the queue), the listener then not called
     */
    boolean submitNow(ReadPolicy policy, DirectBuffer query, int offset, int length, OutcomeListener listener,
                      long correlation, long nowNanos) {
        if (unanswered.size() + ready.size() >= capacity) {
            return false;
        }
        final byte[] copy = new byte[length];
        query.getBytes(offset, copy);
        now = nowNanos;
        submit(new Read(policy, copy, null, listener, correlation));
        return true;
    }

    /** Node thread: submits the queued reads (before the engine's tick, which starts their round). */
    int drain(long nowNanos, int limit) {
        now = nowNanos;
        return queue.drain(submitter, limit);
    }

    private void submit(Read read) {
        read.deadline = now + waitNanos;
        if (read.policy == ReadPolicy.SERIALIZABLE) {
            read.index = 0;
            ready.add(read);
            return;
        }
        read.id = ++nextId;
        final long result = engine.read(read.id, read.policy == ReadPolicy.LEASE);
        if (result > 0) {
            read.index = result;
            ready.add(read);
        } else if (result == Reads.QUEUED) {
            unanswered.add(read);
        } else {
            fail(read, result == Reads.NOT_LEADER ? notLeader() : new ReadNotReadyException(nodeId,
                "the leader has not committed an entry of its term yet"));
        }
    }

    /** READ_READY: the unanswered reads up to {@code lastId} may be served once {@code index} is applied. */
    void ready(long lastId, long index) {
        Read read;
        while ((read = unanswered.peek()) != null && read.id <= lastId) {
            unanswered.poll();
            read.index = index;
            ready.add(read);
        }
    }

    /** READ_FAILED: the unanswered reads up to {@code lastId} fail. */
    void failed(long lastId, ReadFailure failure) {
        Read read;
        while ((read = unanswered.peek()) != null && read.id <= lastId) {
            unanswered.poll();
            fail(read, failure == ReadFailure.NOT_LEADER ? notLeader() : new ReadNotReadyException(nodeId,
                "the leadership was not confirmed by a quorum in time"));
        }
    }

    /** LEADERSHIP_LOST: this leader's unanswered reads fail (they were waiting for its rounds). */
    void leadershipLost(long term) {
        Read read;
        while ((read = unanswered.poll()) != null) {
            fail(read, new LeadershipLostException(nodeId, term));
        }
    }

    /** Node thread, between applies: runs the queries whose index is applied; fails reads past their deadline. */
    void serveApplied(long nowNanos) {
        final long applied = applier.appliedIndex();
        Read read;
        while ((read = ready.peek()) != null && (read.index <= applied || nowNanos - read.deadline >= 0)) {
            ready.poll();
            if (read.index > applied) {
                fail(read, new ReadNotReadyException(nodeId, "the state machine did not apply the read index "
                    + read.index + " in time (applied " + applied + ")"));
                continue;
            }
            queryBuffer.wrap(read.query);
            try {
                read.outcome = stateMachine.query(queryBuffer, 0, read.query.length);
            } catch (RuntimeException e) {
                read.outcome = e;
            }
            staged.add(read);
        }
        while ((read = unanswered.peek()) != null && nowNanos - read.deadline >= 0) {
            // the engine answers every batch it holds (timeouts, role changes); this bounds what it might not
            unanswered.poll();
            fail(read, new ReadNotReadyException(nodeId, "no read index was confirmed in time"));
        }
    }

    /** Whether outcomes wait for {@link #completeStaged()}. */
    boolean hasStaged() {
        return !staged.isEmpty();
    }

    /** Completes the staged outcomes (after the poll). */
    void completeStaged() {
        Read read;
        while ((read = staged.poll()) != null) {
            read.complete(read.outcome);
        }
    }

    /** Fails every read, queued or waiting, with {@code error} (closing or failed node), completing at once. */
    void failAll(RuntimeException error) {
        queue.drain(r -> r.complete(error));
        for (ArrayDeque<Read> reads : java.util.List.of(unanswered, ready)) {
            Read read;
            while ((read = reads.poll()) != null) {
                read.complete(error);
            }
        }
        completeStaged();
    }

    private void fail(Read read, RuntimeException error) {
        read.outcome = error;
        staged.add(read);
    }

    private NotLeaderException notLeader() {
        final RaftState state = engine.state();
        return new NotLeaderException(nodeId, state.leaderId(), state.term());
    }
}
