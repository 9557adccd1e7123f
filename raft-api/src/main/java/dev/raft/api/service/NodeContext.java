package dev.raft.api.service;

import dev.raft.api.Membership;
import dev.raft.api.ReadPolicy;
import dev.raft.api.Role;
import org.agrona.DirectBuffer;

/**
 * What a {@link NodeService} may do and see on the node thread: propose and read without a queue or a future, and
 * read the node's state as of this moment without allocating. Every method must be called on the node thread
 * (from {@link NodeService#doWork} or an {@link OutcomeListener} callback); elsewhere it throws
 * {@link IllegalStateException}.
 */
public interface NodeContext {
    /** {@link #propose} and {@link #read} refusal: this node is not the leader (see {@link #leaderId()}). */
    long NOT_LEADER = -1;
    /** Refusal: the leader is transferring its leadership; retry shortly (at the new leader). */
    long TRANSFER_IN_PROGRESS = -2;
    /** Refusal: the command or query is longer than {@code RaftConfig.maxBytesPerAppend}. */
    long TOO_LONG = -3;
    /** Refusal: the node is closing or has failed. */
    long STOPPED = -4;
    /** Refusal: too many reads wait ({@code RaftConfig.proposalQueueCapacity}). */
    long BUSY = -5;

    /** This node's id. */
    int nodeId();

    /** The node's role now. */
    Role role();

    /** The node's current term. */
    long term();

    /** The leader this node knows of in its term, or {@link dev.raft.api.NodeId#NONE}. */
    int leaderId();

    /** The index of the last entry in this node's log. */
    long lastLogIndex();

    /** The highest index this node knows committed. */
    long committedIndex();

    /** The highest index applied to the state machine. */
    long appliedIndex();

    /** The configuration in force (the latest appended). */
    Membership membership();

    /**
     * Proposes a command: on the leader it joins the log in this duty cycle (the bytes are copied before this
     * returns), and {@code listener} hears its outcome once it is applied or has failed. A refusal is final
     * and definite: the command was not appended, and the listener is not called.
     *
     * @return the entry's log index (&gt; 0) when accepted; else {@link #NOT_LEADER}, {@link #TRANSFER_IN_PROGRESS},
     *         {@link #TOO_LONG} or {@link #STOPPED}
     */
    long propose(DirectBuffer command, int offset, int length, OutcomeListener listener, long correlation);

    /**
     * Reads without the log, under {@code policy} (as {@link dev.raft.api.RaftNode#read} does): {@code listener}
     * hears the state machine's answer to the query, or the error. The query bytes are copied before this returns.
     *
     * @return 0 when accepted; else {@link #TOO_LONG}, {@link #STOPPED} or {@link #BUSY} (the listener is not called)
     */
    long read(ReadPolicy policy, DirectBuffer query, int offset, int length, OutcomeListener listener,
              long correlation);
}
