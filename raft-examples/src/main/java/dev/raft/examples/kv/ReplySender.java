package dev.raft.examples.kv;

import dev.raft.api.Membership;
import dev.raft.api.NodeId;
import dev.raft.api.service.NodeContext;
import dev.raft.examples.internal.codec.ClientAnswerEncoder;
import dev.raft.examples.internal.codec.ClientResponseEncoder;
import dev.raft.examples.internal.codec.MessageHeaderEncoder;
import dev.raft.examples.internal.codec.ResponseCode;
import dev.raft.examples.internal.codec.SessionStatus;
import dev.raft.examples.kv.ClientService.Counter;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Sends {@link ClientService}'s answers: encodes each with the node's state as of now and the client endpoint of the
 * leader it knows of (or, for a client that asked for brief answers, an OK answer as its result and the term alone),
 * tags it when a client key is configured, and offers it on the client's {@link ReplyRoutes} publication. An answer that cannot be sent yet (publication being added, not connected, back-pressured) waits
 * until its deadline and is tried again each duty cycle, then dropped and counted; so are answers decided off the
 * node thread (admin requests), queued by {@link #sendLater}. Node thread only, but for {@link #sendLater}.
 */
final class ReplySender {
    private static final UnsafeBuffer EMPTY = new UnsafeBuffer(new byte[0]);

    private final KvNode node;
    private final ClientAuthenticator authenticator;
    private final ReplyRoutes routes;
    private final ClientCounters counters;
    private final ExpandableArrayBuffer sendBuffer = new ExpandableArrayBuffer(1024);
    private final UnsafeBuffer resultBuffer = new UnsafeBuffer(new byte[0]);
    private final ClientResponseEncoder responseEncoder = new ClientResponseEncoder();
    private final ClientAnswerEncoder answerEncoder = new ClientAnswerEncoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    /** Answers decided off the duty cycle (admin requests), sent by the next cycle. */
    private final ManyToOneConcurrentArrayQueue<Reply> completed = new ManyToOneConcurrentArrayQueue<>(4096);
    /** Answers {@link #sendLater} found no room for, until the node thread counts them. */
    private final AtomicLong droppedLater = new AtomicLong();
    private final ArrayDeque<Reply> unsent = new ArrayDeque<>();
    private NodeContext context;
    private boolean detached;
    private long now;
    private int endpointLeaderId = NodeId.NONE;
    private Membership endpointMembership;
    private byte[] leaderEndpoint = new byte[0];

    /** An answer that waits: for a publication to connect or drain (back-pressure), or decided off the cycle. */
    private record Reply(ReplyRoutes.Route route, long correlationId, ResponseCode code, SessionStatus sessionStatus,
                         byte[] result, String message, long deadlineNanos, boolean brief) {
    }

    ReplySender(KvNode node, ClientAuthenticator authenticator, ReplyRoutes routes, ClientCounters counters) {
        this.node = node;
        this.authenticator = authenticator;
        this.routes = routes;
        this.counters = counters;
    }

    /** The node's context, whose state every answer carries. */
    void attach(NodeContext nodeContext) {
        context = nodeContext;
    }

    /** No answer is sent from now on (the routes are being closed). */
    void detach() {
        detached = true;
    }

    /** Whether {@link #detach()} was called. */
    boolean detached() {
        return detached;
    }

    /** The duty cycle's clock, against which the deadlines of answers that wait are checked. */
    void now(long nowNanos) {
        now = nowNanos;
    }

    /**
     * Queues an answer decided off the node thread, for the next duty cycle to send (any thread); dropped and
     * counted if the queue is full.
     */
    void sendLater(ReplyRoutes.Route route, long correlationId, AdminService.Answer answer, long deadline) {
        if (!completed.offer(new Reply(route, correlationId, answer.code(), SessionStatus.NULL_VAL, answer.result(),
            answer.message(), deadline, false))) {
            droppedLater.incrementAndGet(); // not counted here: the counters have one writer, the node thread
        }
    }

    /** Sends the answers queued by {@link #sendLater}, then tries the waiting ones again; returns how many were queued. */
    int sendWaiting() {
        int work = 0;
        if (droppedLater.get() != 0) {
            counters.add(Counter.REPLIES_DROPPED, droppedLater.getAndSet(0));
        }
        Reply reply;
        while ((reply = completed.poll()) != null) {
            send(reply);
            work++;
        }
        for (int i = unsent.size(); i > 0; i--) {
            send(unsent.poll());
        }
        return work;
    }

    private void send(Reply reply) {
        answer(reply.route(), reply.correlationId(), reply.code(), reply.sessionStatus(), reply.result(), reply.message(),
            reply.deadlineNanos(), reply.brief());
    }

    /**
     * Answers a request with the node's state as of now; an answer that cannot be sent yet (publication not
     * connected, back-pressured) waits in {@link #unsent} until its deadline.
     */
    void answer(ReplyRoutes.Route route, long correlationId, ResponseCode code, SessionStatus sessionStatus,
                byte[] result, String message, long deadline) {
        answer(route, correlationId, code, sessionStatus, result, message, deadline, false);
    }

    /**
     * {@link #answer(ReplyRoutes.Route, long, ResponseCode, SessionStatus, byte[], String, long)}, as a
     * {@code ClientAnswer} if {@code brief} and the answer is OK without a message (the client asked for brief
     * answers), else as a {@code ClientResponse}.
     */
    void answer(ReplyRoutes.Route route, long correlationId, ResponseCode code, SessionStatus sessionStatus,
                byte[] result, String message, long deadline, boolean brief) {
        if (result == null) {
            answer(route, correlationId, code, sessionStatus, EMPTY, 0, -1, message, deadline, brief);
        } else {
            resultBuffer.wrap(result);
            answer(route, correlationId, code, sessionStatus, resultBuffer, 0, result.length, message, deadline, brief);
        }
    }

    /**
     * {@link #answer(ReplyRoutes.Route, long, ResponseCode, SessionStatus, byte[], String, long, boolean)} with the
     * result as {@code resultLength} bytes of {@code result} (-1: none), valid only during the call: an answer that
     * must wait keeps a copy.
     */
    void answer(ReplyRoutes.Route route, long correlationId, ResponseCode code, SessionStatus sessionStatus,
                DirectBuffer result, int resultOffset, int resultLength, String message, long deadline, boolean brief) {
        if (detached) {
            return;
        }
        final ExclusivePublication publication;
        try {
            publication = routes.publication(route);
            if (publication == null) { // the driver is still adding it: wait like an answer to one not yet connected
                deferOrDrop(route, correlationId, code, sessionStatus, result, resultOffset, resultLength, message, deadline,
                    brief);
                return;
            }
        } catch (RuntimeException e) {
            counters.droppedReply(route.replyTo, e.getMessage());
            return;
        }
        int length = brief && code == ResponseCode.OK && (message == null || message.isEmpty())
            ? ClientProtocol.encodeAnswer(sendBuffer, answerEncoder, headerEncoder, correlationId, context.term(),
                sessionStatus, result, resultOffset, Math.max(resultLength, 0))
            : ClientProtocol.encodeResponse(sendBuffer, responseEncoder, headerEncoder, correlationId, code, context,
                sessionStatus, result, resultOffset, Math.max(resultLength, 0), message, leaderEndpoint());
        if (authenticator != null) {
            length = authenticator.appendTag(sendBuffer, length);
        }
        final long position = publication.offer(sendBuffer, 0, length);
        if (position > 0) {
            return;
        }
        if (position == Publication.NOT_CONNECTED || position == Publication.BACK_PRESSURED
            || position == Publication.ADMIN_ACTION) {
            deferOrDrop(route, correlationId, code, sessionStatus, result, resultOffset, resultLength, message, deadline,
                brief);
        } else {
            counters.count(Counter.REPLIES_DROPPED);
            if (position == Publication.CLOSED || position == Publication.MAX_POSITION_EXCEEDED) {
                routes.remove(route);
            }
        }
    }

    /**
     * An answer that cannot be sent yet waits in {@link #unsent} until its deadline, then is dropped and counted. It
     * keeps its result: the array it was given as ({@link #resultBuffer}, so an answer waiting over several duty
     * cycles is not copied again each time), else a copy of the bytes.
     */
    private void deferOrDrop(ReplyRoutes.Route route, long correlationId, ResponseCode code, SessionStatus sessionStatus,
                             DirectBuffer result, int resultOffset, int resultLength, String message, long deadline,
                             boolean brief) {
        if (now - deadline >= 0) {
            counters.count(Counter.REPLIES_DROPPED);
            return;
        }
        byte[] kept = null;
        if (resultLength >= 0 && result == resultBuffer) {
            kept = resultBuffer.byteArray();
        } else if (resultLength >= 0) {
            kept = new byte[resultLength];
            result.getBytes(resultOffset, kept);
        }
        unsent.add(new Reply(route, correlationId, code, sessionStatus, kept, message, deadline, brief));
    }

    /**
     * The client endpoint of the leader (ASCII): from its Raft endpoint in the membership, else in the node's
     * configuration; made again only when the leader or the membership changes.
     */
    private byte[] leaderEndpoint() {
        final int leaderId = context.leaderId();
        final Membership membership = context.membership();
        if (leaderId != endpointLeaderId || membership != endpointMembership) {
            endpointLeaderId = leaderId;
            endpointMembership = membership;
            String hint = "";
            if (leaderId != NodeId.NONE) {
                final String known = membership.endpoint(leaderId);
                final String raft = known != null ? known : node.options().endpoints().get(leaderId);
                hint = raft == null ? "" : ClientProtocol.clientEndpoint(raft);
            }
            leaderEndpoint = hint.getBytes(StandardCharsets.US_ASCII);
        }
        return leaderEndpoint;
    }
}
