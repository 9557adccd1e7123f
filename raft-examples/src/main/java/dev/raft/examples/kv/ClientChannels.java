package dev.raft.examples.kv;

import dev.raft.api.Role;
import dev.raft.examples.internal.codec.AnswerForm;
import dev.raft.examples.internal.codec.ClientRequestEncoder;
import dev.raft.examples.internal.codec.ClientResponseDecoder;
import dev.raft.examples.internal.codec.MessageHeaderDecoder;
import dev.raft.examples.internal.codec.MessageHeaderEncoder;
import dev.raft.examples.internal.codec.RequestKind;
import dev.raft.examples.internal.codec.SessionStatus;
import io.aeron.Aeron;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.Header;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * A {@link KvClient}'s Aeron side: one reply subscription, one (thread-safe) publication per server endpoint,
 * request encoding, and the polling of answers, done by whichever waiting caller holds the poll lock. Answers
 * carrying a correlation id this client issued feed the {@link ClusterView}; those a caller waits for complete
 * its {@link Call}. Others (forged, or tagged wrongly when a key is configured) are dropped and counted.
 */
final class ClientChannels implements AutoCloseable {
    /** One outstanding request. */
    static final class Call {
        final long correlationId;
        volatile KvClient.Response response;

        Call(long correlationId) {
            this.correlationId = correlationId;
        }
    }

    /** What happened to one offer. */
    enum Sent {
        /** In the publication: it may reach the server. */
        SENT,
        /** Not sent (not connected yet, back-pressured): it cannot reach the server. */
        NOT_SENT
    }

    private final Aeron aeron;
    private final boolean ownsAeron;
    private final Subscription replies;
    private final String replyTo;
    private final ClientAuthenticator authenticator;
    private final ClusterView view;
    private final LongSupplier clock;
    private final Map<String, Publication> publications = new ConcurrentHashMap<>();
    private final Map<Long, Call> calls = new ConcurrentHashMap<>();
    private final long firstCorrelationId = new SecureRandom().nextLong() & Long.MAX_VALUE >>> 1;
    private final AtomicLong nextCorrelationId = new AtomicLong(firstCorrelationId);
    private final ReentrantLock pollLock = new ReentrantLock();
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final ClientResponseDecoder decoder = new ClientResponseDecoder();
    private final FragmentAssembler assembler = new FragmentAssembler(this::onResponse);
    private final ThreadLocal<ExpandableArrayBuffer> sendBuffers = ThreadLocal.withInitial(() -> new ExpandableArrayBuffer(1024));
    private final AtomicLong dropped = new AtomicLong();

    ClientChannels(Aeron aeron, boolean ownsAeron, String replyHost, ClientAuthenticator authenticator, ClusterView view,
                   LongSupplier clock, IdleStrategy idle) {
        this.aeron = aeron;
        this.ownsAeron = ownsAeron;
        this.authenticator = authenticator;
        this.view = view;
        this.clock = clock;
        Subscription subscription = null;
        try {
            subscription = aeron.addSubscription("aeron:udp?endpoint=" + replyHost + ":0|sparse=true", ClientProtocol.STREAM_ID);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            String bound = subscription.resolvedEndpoint();
            while (bound == null) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the client's reply endpoint on " + replyHost + " did not bind within 5 s");
                }
                idle.idle();
                bound = subscription.resolvedEndpoint();
            }
            replyTo = replyHost + bound.substring(bound.lastIndexOf(':'));
        } catch (RuntimeException e) {
            CloseHelper.quietClose(subscription);
            throw e;
        }
        replies = subscription;
    }

    /** How a caller idles while it waits on answers (and while the reply subscription binds). */
    static IdleStrategy newIdle() {
        return new BackoffIdleStrategy(20, 10, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(200));
    }

    /** The endpoint servers answer to. */
    String replyTo() {
        return replyTo;
    }

    /** Opens (without waiting) the publication towards {@code endpoint}, so that it connects in the background. */
    Publication publication(String endpoint) {
        return publications.computeIfAbsent(endpoint,
            e -> aeron.addPublication(ClientProtocol.channel(e), ClientProtocol.STREAM_ID));
    }

    /** A new outstanding call; {@link #forget} it when done. */
    Call newCall() {
        final Call call = new Call(nextCorrelationId.incrementAndGet());
        calls.put(call.correlationId, call);
        return call;
    }

    /** A correlation id for a probe whose answer only feeds the view. */
    long newProbeId() {
        return nextCorrelationId.incrementAndGet();
    }

    void forget(Call call) {
        calls.remove(call.correlationId);
    }

    /** Offers one request without a session (status probes, reads) once. */
    Sent send(String endpoint, long correlationId, RequestKind kind, byte[] command) {
        return send(endpoint, correlationId, kind, command, 0, 0, 0);
    }

    /**
     * Offers one request once, with the session fields (all 0 for none; see
     * {@link dev.raft.core.session.SessionCommand}).
     */
    Sent send(String endpoint, long correlationId, RequestKind kind, byte[] command, long clientId, long sequence,
              long ackedBelow) {
        final Publication publication = publication(endpoint);
        final ExpandableArrayBuffer buffer = sendBuffers.get();
        final ClientRequestEncoder encoder = new ClientRequestEncoder()
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .correlationId(correlationId)
            .kind(kind)
            .clientId(clientId)
            .sequence(sequence)
            .ackedBelow(ackedBelow)
            .answerForm(AnswerForm.FULL) // every answer carries the node's state, which the ClusterView follows
            .putCommand(command, 0, command.length);
        encoder.replyTo(replyTo);
        int length = MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
        if (authenticator != null) {
            length = authenticator.appendTag(buffer, length);
        }
        final long position = publication.offer(buffer, 0, length);
        if (position == Publication.CLOSED || position == Publication.MAX_POSITION_EXCEEDED) {
            publications.remove(endpoint, publication);
            CloseHelper.quietClose(publication);
        }
        return position > 0 ? Sent.SENT : Sent.NOT_SENT;
    }

    /** Whether the publication towards {@code endpoint} is connected (a killed server may look connected for seconds). */
    boolean isConnected(String endpoint) {
        return publication(endpoint).isConnected();
    }

    /** Polls answers if no other caller is polling; returns the number of fragments read. */
    int poll() {
        if (!pollLock.tryLock()) {
            return 0;
        }
        try {
            return replies.poll(assembler, 32);
        } finally {
            pollLock.unlock();
        }
    }

    /** Answers dropped: not this client's, malformed, or unauthenticated. */
    long dropped() {
        return dropped.get();
    }

    private void onResponse(DirectBuffer buffer, int offset, int length, Header frameHeader) {
        int end = offset + length;
        if (authenticator != null) {
            if (!authenticator.verify(buffer, offset, length)) {
                dropped.incrementAndGet();
                return;
            }
            end -= ClientProtocol.MAC_LENGTH;
        }
        final KvClient.Response response;
        try {
            response = decode(buffer, offset, end - offset);
        } catch (RuntimeException e) {
            dropped.incrementAndGet();
            return;
        }
        if (response == null) {
            dropped.incrementAndGet();
            return;
        }
        view.onResponse(response, clock.getAsLong());
        final Call call = calls.get(response.correlationId());
        if (call != null) {
            call.response = response;
        }
    }

    private KvClient.Response decode(DirectBuffer buffer, int offset, int length) {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH) {
            return null;
        }
        header.wrap(buffer, offset);
        if (header.schemaId() != ClientResponseDecoder.SCHEMA_ID || header.templateId() != ClientResponseDecoder.TEMPLATE_ID
            || header.blockLength() < ClientResponseDecoder.BLOCK_LENGTH || header.blockLength() > length) {
            return null;
        }
        decoder.wrapAndApplyHeader(buffer, offset, header);
        final long correlationId = decoder.correlationId();
        if (correlationId - firstCorrelationId <= 0 || correlationId > nextCorrelationId.get()) {
            return null; // not an id this client issued
        }
        final KvClient.Response.Code code = switch (decoder.code()) {
            case OK -> KvClient.Response.Code.OK;
            case NOT_LEADER -> KvClient.Response.Code.NOT_LEADER;
            case REJECTED -> KvClient.Response.Code.REJECTED;
            case ERROR, NULL_VAL -> KvClient.Response.Code.ERROR;
        };
        final int nodeId = decoder.nodeId();
        final short role = decoder.role();
        final long term = decoder.term();
        final int leaderId = decoder.leaderId();
        final long lastLogIndex = decoder.lastLogIndex();
        final long committed = decoder.committedIndex();
        final long applied = decoder.appliedIndex();
        final dev.raft.core.session.SessionStatus session = sessionStatus(decoder.sessionStatus());
        final int resultLength = decoder.resultLength();
        if (resultLength > length) {
            return null;
        }
        final byte[] result = new byte[resultLength];
        decoder.getResult(result, 0, result.length);
        final int messageLength = decoder.messageLength();
        if (messageLength > ClientProtocol.MAX_MESSAGE_BYTES * 4) {
            return null;
        }
        final String message = decoder.message();
        final String leaderEndpoint = decoder.leaderEndpoint();
        if (decoder.limit() > offset + length) {
            return null;
        }
        final Role[] roles = Role.values();
        return new KvClient.Response(code, nodeId, role >= 0 && role < roles.length ? roles[role] : Role.SHUTDOWN, term,
            leaderId, lastLogIndex, committed, applied, result.length > 0 ? KvCommands.decodeResult(result) : null, message,
            leaderEndpoint, correlationId, session);
    }

    /** The session table's verdict, or null when the command had none (or the server is older). */
    private static dev.raft.core.session.SessionStatus sessionStatus(SessionStatus status) {
        return status == null || status == SessionStatus.NULL_VAL ? null
            : dev.raft.core.session.SessionStatus.fromCode(status.value());
    }

    @Override
    public void close() {
        publications.values().forEach(CloseHelper::quietClose);
        publications.clear();
        CloseHelper.quietClose(replies);
        if (ownsAeron) {
            CloseHelper.quietClose(aeron);
        }
    }
}
