package dev.raft.api.transport;

import dev.raft.api.Membership;
import dev.raft.api.message.RaftMessage;

/**
 * Carries Raft messages between the nodes of one cluster, for one local node.
 *
 * <p>Delivery is unreliable: messages may be lost, delayed, duplicated or reordered, and Raft copes
 * with all of these. A transport must never deliver a corrupted message: frames that fail to decode,
 * or come from another cluster or a non-member, or are addressed to another node, are dropped (and
 * counted).
 *
 * <h2>Threading</h2>
 * The node's thread calls {@link #send}, {@link #poll} and {@link #updateMembership}, one call at a time.
 * {@link #close()} may be called from any thread once the node's thread no longer uses the transport.
 */
public interface Transport extends AutoCloseable {
    /** The id of the local node this transport serves. */
    int localId();

    /**
     * Sends a message to {@code message.to()}. The transport copies or encodes the message before
     * returning; the caller may reuse it at once. Never blocks longer than a bounded number of retries
     * on back-pressure; never throws for a peer that is down, slow or unknown.
     *
     * @return true if the message was handed to the network, false if it was dropped (back-pressure
     *         after the bounded retries, no route to the target); a dropped message is counted
     * @throws IllegalStateException if the transport is closed
     */
    boolean send(RaftMessage message);

    /**
     * Delivers up to {@code limit} received messages to {@code handler}, on the calling thread.
     *
     * @return the number of messages delivered (0 when idle)
     */
    int poll(MessageHandler handler, int limit);

    /**
     * The cluster's membership changed: open routes to new members, close routes to removed ones, and
     * from now on accept messages only from members. Called once at start with the initial membership.
     */
    void updateMembership(Membership membership);

    /** Releases every resource. Idempotent. */
    @Override
    void close();
}
