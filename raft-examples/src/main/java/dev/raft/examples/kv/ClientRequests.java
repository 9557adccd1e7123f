package dev.raft.examples.kv;

import dev.raft.api.error.LeadershipLostException;
import dev.raft.api.error.NodeClosedException;
import dev.raft.api.error.NotLeaderException;
import dev.raft.api.service.NodeContext;
import dev.raft.api.service.OutcomeListener;
import dev.raft.core.session.SessionCommand;
import dev.raft.core.session.SessionResponse;
import dev.raft.examples.internal.codec.ResponseCode;
import dev.raft.examples.internal.codec.SessionStatus;
import dev.raft.examples.kv.ClientService.Counter;
import io.aeron.FragmentAssembler;
import io.aeron.Image;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import java.util.concurrent.TimeUnit;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

/**
 * The requests a {@link ClientService} polls, served on the node thread: each is checked in place
 * ({@link ClientRequestFrame}: well formed, authenticated) and its reply endpoint against its source host, then
 * counted and dispatched by kind: a command is proposed (in a {@link SessionCommand} envelope when the state machine
 * has sessions), a GET read without the log, an admin request executed, a status request answered at once. The
 * requests proposed or read wait in {@link PendingReplies} until the node's outcome ({@link #onResult}, {@link #onError}) turns
 * them into answers, which {@link ReplySender} sends.
 */
final class ClientRequests {
    private static final int POLL_LIMIT = 256;
    private static final long REPLY_DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final KvNode node;
    private final Subscription subscription;
    private final ReplyRoutes routes;
    private final ReplySender replies;
    private final ClientCounters counters;
    /** The listener the node hands each outcome to: the {@link ClientService}, which passes it to {@link #onOutcome}. */
    private final OutcomeListener listener;
    private final FragmentHandler assembler = new FragmentAssembler(this::onRequest);
    private final ClientRequestFrame frame;
    private final ExpandableArrayBuffer envelope = new ExpandableArrayBuffer(1024);
    private final boolean sessions;
    private final PendingReplies pending = new PendingReplies();
    private NodeContext context;
    private long now;

    ClientRequests(KvNode node, ClientService.Settings settings, Subscription subscription, ReplyRoutes routes,
                   ReplySender replies, ClientCounters counters, OutcomeListener listener) {
        this.node = node;
        this.subscription = subscription;
        this.routes = routes;
        this.replies = replies;
        this.counters = counters;
        this.listener = listener;
        this.frame = new ClientRequestFrame(settings.authenticator(), settings.maxCommandBytes());
        this.sessions = node.sessions().isPresent();
    }

    /** The node's context, through which requests are proposed and read. */
    void attach(NodeContext nodeContext) {
        context = nodeContext;
    }

    /** Serves the requests received since the last cycle (at most a batch); returns how many fragments were read. */
    int poll(long nowNanos) {
        now = nowNanos;
        return subscription.poll(assembler, POLL_LIMIT);
    }

    private void onRequest(DirectBuffer buffer, int offset, int length, Header frameHeader) {
        counters.count(Counter.REQUESTS);
        final ClientRequestFrame.Verdict verdict = frame.parse(buffer, offset, length);
        final Counter rejected = switch (verdict) {
            case OK, OVERSIZE -> null;
            case UNAUTHENTICATED -> Counter.UNAUTHENTICATED;
            case SHORT -> Counter.MALFORMED_SHORT;
            case FOREIGN -> Counter.MALFORMED_FOREIGN;
            case BAD_BLOCK -> Counter.MALFORMED_BLOCK;
            case BAD_KIND -> Counter.MALFORMED_KIND;
            case BAD_ANSWER_FORM -> Counter.MALFORMED_ANSWER_FORM;
            case BAD_COMMAND_LENGTH -> Counter.MALFORMED_COMMAND_LENGTH;
            case BAD_REPLY_TO -> Counter.MALFORMED_REPLY_TO;
            case BAD_SESSION -> Counter.MALFORMED_SESSION;
            case BAD_FRAME_LENGTH -> Counter.MALFORMED_FRAME_LENGTH;
        };
        if (rejected != null) {
            counters.droppedRequest(rejected, sourceIdentity(frameHeader), buffer, offset, length);
            return;
        }
        final String source = sourceIdentity(frameHeader);
        final ReplyRoutes.Route route = routes.route(buffer, frame.replyToOffset(), frame.replyToLength());
        // a route checked against this source before passes at once (Aeron keeps one identity string per image)
        if (route.checkedSource != source || source == null) {
            if (!onSourceHost(buffer, frame.replyToOffset(), frame.replyToLength(), source)) {
                counters.droppedRequest(Counter.REPLY_REFUSED, source, buffer, offset, length);
                return;
            }
            route.checkedSource = source;
        }
        final long correlationId = frame.correlationId();
        final long deadline = now + REPLY_DEADLINE_NANOS;
        if (verdict == ClientRequestFrame.Verdict.OVERSIZE) {
            counters.count(Counter.OVERSIZE);
            replies.answer(route, correlationId, ResponseCode.REJECTED, SessionStatus.NULL_VAL, null, "command of "
                + frame.commandLength() + " bytes exceeds this server's limit of " + frame.maxCommandBytes() + " bytes",
                deadline);
        } else if (frame.isCommand()) {
            counters.count(Counter.COMMANDS);
            propose(buffer, route, correlationId, deadline);
        } else if (frame.isAdmin()) {
            counters.count(Counter.ADMIN_REQUESTS);
            AdminService.execute(node.raft(), buffer, frame.commandOffset(), frame.commandLength())
                .thenAccept(a -> replies.sendLater(route, correlationId, a, deadline));
        } else if (frame.readPolicy() != null) {
            counters.count(Counter.READS);
            read(buffer, route, correlationId, deadline);
        } else {
            counters.count(Counter.STATUS_REQUESTS);
            replies.answer(route, correlationId, ResponseCode.OK, SessionStatus.NULL_VAL, null, null, deadline);
        }
    }

    /**
     * Proposes the request's command: when the node's state machine has sessions, inside a {@link SessionCommand}
     * envelope carrying the request's session fields and this node's clock (the leader's stamp that drives session
     * expiry); otherwise as is. A refusal is answered at once; the outcome of an accepted command comes back
     * through {@link #onOutcome}.
     */
    private void propose(DirectBuffer buffer, ReplyRoutes.Route route, long correlationId, long deadline) {
        final int slot = pending.take(route, correlationId, deadline,
            sessions ? PendingReplies.SESSION_COMMAND : PendingReplies.COMMAND, frame.briefAnswers());
        final long result;
        if (sessions) {
            envelope.checkLimit(SessionCommand.HEADER_LENGTH + frame.commandLength());
            final int length = SessionCommand.encode(envelope, 0, frame.clientId(), frame.sequence(), frame.ackedBelow(),
                System.currentTimeMillis(), buffer, frame.commandOffset(), frame.commandLength());
            result = context.propose(envelope, 0, length, listener, slot);
        } else {
            result = context.propose(buffer, frame.commandOffset(), frame.commandLength(), listener, slot);
        }
        if (result > 0) {
            return;
        }
        pending.release(slot);
        final int id = node.id();
        if (result == NodeContext.NOT_LEADER) {
            replies.answer(route, correlationId, ResponseCode.NOT_LEADER, SessionStatus.NULL_VAL, null,
                "node " + id + " is not the leader", deadline);
            return;
        }
        final String why = result == NodeContext.TRANSFER_IN_PROGRESS
            ? "node " + id + " refused the command: it is handing its leadership over (retry at the new leader)"
            : result == NodeContext.TOO_LONG ? "node " + id + " refused the command: it exceeds RaftConfig.maxBytesPerAppend"
            : "node " + id + " is shutting down";
        replies.answer(route, correlationId, ResponseCode.REJECTED, SessionStatus.NULL_VAL, null, why, deadline);
    }

    /** A GET without the log: answered OK, NOT_LEADER, or ERROR (it changed nothing: the client may resend it). */
    private void read(DirectBuffer buffer, ReplyRoutes.Route route, long correlationId, long deadline) {
        final int slot = pending.take(route, correlationId, deadline, PendingReplies.READ, frame.briefAnswers());
        final long result = context.read(frame.readPolicy(), buffer, frame.commandOffset(), frame.commandLength(),
            listener, slot);
        if (result != 0) {
            pending.release(slot);
            replies.answer(route, correlationId, ResponseCode.ERROR, SessionStatus.NULL_VAL, null, "node " + node.id()
                + " did not serve the read: " + (result == NodeContext.BUSY ? "too many reads wait"
                : result == NodeContext.TOO_LONG ? "the query is too long" : "the node is shutting down"), deadline);
        }
    }

    /**
     * Answers the request in slot {@code correlation} (if still pending) with its result: {@code length} bytes of
     * {@code result} from {@code offset} (-1: none), valid only during the call.
     */
    void onResult(long correlation, DirectBuffer result, int offset, int length) {
        final int slot = claim(correlation);
        if (slot < 0) {
            return;
        }
        final ReplyRoutes.Route route = pending.route(slot);
        final long correlationId = pending.correlationId(slot);
        final long deadline = pending.deadline(slot);
        final boolean session = pending.kind(slot) == PendingReplies.SESSION_COMMAND;
        final boolean brief = pending.brief(slot);
        pending.release(slot);
        if (session) {
            byte[] bytes = null;
            if (length >= 0) {
                bytes = new byte[length];
                result.getBytes(offset, bytes);
            }
            sessionAnswer(route, correlationId, bytes, deadline, brief);
        } else {
            replies.answer(route, correlationId, ResponseCode.OK, SessionStatus.NULL_VAL, result, offset, length, null,
                deadline, brief);
        }
    }

    /** The slot of request {@code correlation} if it still waits for its answer and one may be sent, else -1. */
    private int claim(long correlation) {
        return replies.detached() || !pending.taken(correlation) ? -1 : (int) correlation;
    }

    /** Answers the request in slot {@code correlation} (if still pending) with the error. */
    void onError(long correlation, RuntimeException error) {
        final int slot = claim(correlation);
        if (slot < 0) {
            return;
        }
        final ReplyRoutes.Route route = pending.route(slot);
        final long correlationId = pending.correlationId(slot);
        final long deadline = pending.deadline(slot);
        final byte kind = pending.kind(slot);
        pending.release(slot);
        final int id = node.id();
        if (kind == PendingReplies.READ) {
            if (error instanceof NotLeaderException) {
                replies.answer(route, correlationId, ResponseCode.NOT_LEADER, SessionStatus.NULL_VAL, null, "node " + id
                    + " knows no leader to confirm the read with", deadline);
            } else {
                replies.answer(route, correlationId, ResponseCode.ERROR, SessionStatus.NULL_VAL, null, "node " + id
                    + " did not serve the read: " + error.getMessage(), deadline);
            }
            return;
        }
        final String why = error instanceof LeadershipLostException
            ? "node " + id + " lost its leadership before the command was known committed; it may still be applied"
            : error instanceof NodeClosedException
                ? "node " + id + " stopped before the command was known committed; it may still be applied"
                : "node " + id + " failed after the command was proposed (" + error.getMessage() + "); it may have been applied";
        replies.answer(route, correlationId, ResponseCode.ERROR, SessionStatus.NULL_VAL, null, why, deadline);
    }

    /** The answer to a command the session table decided: applied (now or before) is OK, a refusal is REJECTED. */
    private void sessionAnswer(ReplyRoutes.Route route, long correlationId, byte[] result, long deadline, boolean brief) {
        final SessionResponse response;
        try {
            response = SessionResponse.decode(result);
        } catch (IllegalArgumentException e) {
            replies.answer(route, correlationId, ResponseCode.ERROR, SessionStatus.NULL_VAL, null, "node " + node.id()
                + " applied the command but its answer is no session response (" + e.getMessage() + ")", deadline);
            return;
        }
        final SessionStatus status = SessionStatus.get(response.status().code());
        if (response.status().applied()) {
            if (response.status() != dev.raft.core.session.SessionStatus.APPLIED) {
                counters.count(Counter.REPLAYED);
            }
            replies.answer(route, correlationId, ResponseCode.OK, status, response.response(), null, deadline, brief);
            return;
        }
        counters.count(Counter.SESSION_REFUSED);
        replies.answer(route, correlationId, ResponseCode.REJECTED, status, null, "node " + node.id()
            + ": the session table refused the command (" + response.status() + "); it was not applied now", deadline);
    }

    private String sourceIdentity(Header frameHeader) {
        if (frameHeader.context() instanceof Image image) {
            return image.sourceIdentity();
        }
        final Image image = subscription.imageBySessionId(frameHeader.sessionId());
        return image == null ? null : image.sourceIdentity();
    }

    /** Whether the reply endpoint's host is the host part of the request's source identity (ip:port). */
    private static boolean onSourceHost(DirectBuffer buffer, int replyToOffset, int replyToLength, String source) {
        if (source == null) {
            return false;
        }
        final int sourceColon = source.lastIndexOf(':');
        int replyColon = -1;
        for (int i = replyToLength - 1; i >= 0; i--) {
            if (buffer.getByte(replyToOffset + i) == ':') {
                replyColon = i;
                break;
            }
        }
        if (sourceColon < 0 || replyColon != sourceColon) {
            return false;
        }
        for (int i = 0; i < replyColon; i++) {
            if (buffer.getByte(replyToOffset + i) != source.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
