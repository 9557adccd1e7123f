package dev.raft.examples.bench;

import dev.raft.examples.internal.codec.AnswerForm;
import dev.raft.examples.internal.codec.ClientAnswerDecoder;
import dev.raft.examples.internal.codec.ClientRequestEncoder;
import dev.raft.examples.internal.codec.ClientResponseDecoder;
import dev.raft.examples.internal.codec.MessageHeaderDecoder;
import dev.raft.examples.internal.codec.MessageHeaderEncoder;
import dev.raft.examples.internal.codec.RequestKind;
import dev.raft.examples.internal.codec.ResponseCode;
import dev.raft.examples.kv.ClientProtocol;
import dev.raft.examples.kv.ClientService;
import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The benchmark's client over Aeron UDP, with a media driver of its own: speaks the raftkv client protocol
 * ({@code ClientRequest} asking for brief answers; a {@code ClientAnswer} for each echo, a {@code ClientResponse} for
 * anything else) to the nodes' {@link ClientService}s, many requests in flight,
 * each answer matched by its correlation id (the message's sequence number). The request is encoded once; a
 * send patches the correlation id, the stamp and the sequence number in place, so nothing is allocated per
 * message, and the echoed payload is read where it lies in the receive buffer.
 */
final class AeronRequestChannel implements RequestChannel {
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final int FRAGMENT_LIMIT = 256;

    private final int size;
    private final int[] ids;
    private final ExclusivePublication[] publications;
    private final MediaDriver driver;
    private final Aeron aeron;
    private final Subscription replies;
    private final UnsafeBuffer request;
    private final ClientRequestEncoder encoder = new ClientRequestEncoder();
    private final int requestLength;
    private final int payloadOffset;
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final ClientResponseDecoder decoder = new ClientResponseDecoder();
    private final ClientAnswerDecoder answerDecoder = new ClientAnswerDecoder();
    private final UnsafeBuffer echo = new UnsafeBuffer(0, 0);
    private final FragmentHandler handler = new FragmentAssembler(this::onFragment);
    private AnswerListener listener;
    private int target;

    /**
     * Starts the client's media driver (shared threading, backoff idling like every node's) and its reply
     * subscription on an ephemeral port of 127.0.0.1, and opens a publication to every node's client endpoint.
     *
     * @param raftEndpoints every node's Raft endpoint {@code host:port} by id (clients are served on port + 1)
     * @param size          bytes of each message's payload, at least 16
     * @param target        the node to send to first
     * @param driverDir     the media driver's directory
     */
    AeronRequestChannel(Map<Integer, String> raftEndpoints, int size, int target, String driverDir) {
        this.size = size;
        final TreeMap<Integer, String> sorted = new TreeMap<>(raftEndpoints);
        ids = sorted.keySet().stream().mapToInt(Integer::intValue).toArray();
        publications = new ExclusivePublication[ids.length];
        if (!sorted.containsKey(target)) {
            throw new IllegalArgumentException("bench client: node " + target + " is not one of " + sorted.keySet());
        }
        this.target = target;
        driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .aeronDirectoryName(driverDir)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy(10, 20, TimeUnit.MICROSECONDS.toNanos(1),
                TimeUnit.MICROSECONDS.toNanos(100)))
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        Aeron connected = null;
        try {
            connected = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
            aeron = connected;
            replies = aeron.addSubscription("aeron:udp?endpoint=127.0.0.1:0", ClientProtocol.STREAM_ID);
            final String replyTo = boundAddress(replies);
            for (int i = 0; i < ids.length; i++) {
                publications[i] = aeron.addExclusivePublication(
                    ClientProtocol.channel(ClientService.clientEndpoint(sorted.get(ids[i]))), ClientProtocol.STREAM_ID);
            }
            request = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
                BitUtil.findNextPositivePowerOfTwo(64 + size + replyTo.length()), 64));
            encoder.wrapAndApplyHeader(request, 0, new MessageHeaderEncoder()).correlationId(0).kind(RequestKind.COMMAND)
                .clientId(0).sequence(0).ackedBelow(0).answerForm(AnswerForm.BRIEF);
            payloadOffset = encoder.limit() + ClientRequestEncoder.commandHeaderLength();
            encoder.putCommand(new byte[size], 0, size);
            encoder.replyTo(replyTo);
            requestLength = MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
        } catch (RuntimeException e) {
            CloseHelper.quietCloseAll(connected, driver);
            throw e;
        }
    }

    private static String boundAddress(Subscription subscription) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        List<String> bound = subscription.localSocketAddresses();
        while (bound.isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("bench client: the reply subscription did not bind within 5 s");
            }
            Thread.onSpinWait();
            bound = subscription.localSocketAddresses();
        }
        return bound.get(0);
    }

    /** Waits until the publication to every node is connected; false if not within {@code timeoutNanos}. */
    boolean awaitConnected(long timeoutNanos) throws InterruptedException {
        final long deadline = System.nanoTime() + timeoutNanos;
        for (ExclusivePublication p : publications) {
            while (!p.isConnected()) {
                if (System.nanoTime() > deadline) {
                    return false;
                }
                Thread.sleep(1);
            }
        }
        return true;
    }

    @Override
    public void readPolicy(dev.raft.api.ReadPolicy policy) {
        encoder.kind(policy == null ? RequestKind.COMMAND : switch (policy) {
            case LINEARIZABLE_READ_INDEX -> RequestKind.READ_LINEARIZABLE;
            case LEASE -> RequestKind.READ_LEASE;
            case SERIALIZABLE -> RequestKind.READ_SERIALIZABLE;
        });
    }

    @Override
    public boolean send(long seq, long stampNanos) {
        encoder.correlationId(seq);
        request.putLong(payloadOffset, stampNanos, ORDER);
        request.putLong(payloadOffset + Long.BYTES, seq, ORDER);
        final long position = publications[indexOf(target)].offer(request, 0, requestLength);
        if (position > 0) {
            return true;
        }
        if (position == Publication.CLOSED || position == Publication.MAX_POSITION_EXCEEDED) {
            throw new IllegalStateException("bench client: the publication to node " + target + " failed: "
                + Publication.errorString(position));
        }
        return false;
    }

    @Override
    public int poll(AnswerListener listener) {
        this.listener = listener;
        return replies.poll(handler, FRAGMENT_LIMIT);
    }

    private void onFragment(DirectBuffer buffer, int offset, int length, Header frame) {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH) {
            listener.onMalformed();
            return;
        }
        header.wrap(buffer, offset);
        if (header.schemaId() == ClientAnswerDecoder.SCHEMA_ID && header.templateId() == ClientAnswerDecoder.TEMPLATE_ID) {
            onAnswer(buffer, offset, length);
            return;
        }
        if (header.schemaId() != ClientResponseDecoder.SCHEMA_ID || header.templateId() != ClientResponseDecoder.TEMPLATE_ID
            || length < MessageHeaderDecoder.ENCODED_LENGTH + header.blockLength() + ClientResponseDecoder.resultHeaderLength()) {
            listener.onMalformed();
            return;
        }
        decoder.wrapAndApplyHeader(buffer, offset, header);
        final long seq = decoder.correlationId();
        final ResponseCode code = decoder.code();
        final long term = decoder.term();
        if (code == ResponseCode.OK) {
            final int resultLength = decoder.resultLength();
            if (resultLength != size || decoder.limit() + ClientResponseDecoder.resultHeaderLength() + resultLength > offset + length) {
                listener.onMalformed();
                return;
            }
            decoder.wrapResult(echo);
            onEcho(seq, term);
        } else if (code == ResponseCode.REJECTED) {
            decoder.skipResult();
            listener.onRejected(seq, decoder.message());
        } else {
            listener.onRefused(seq, code == ResponseCode.NOT_LEADER, decoder.leaderId(), term);
        }
    }

    /** A brief OK answer (ClientAnswer): the echo and the term. */
    private void onAnswer(DirectBuffer buffer, int offset, int length) {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH + header.blockLength() + ClientAnswerDecoder.resultHeaderLength()) {
            listener.onMalformed();
            return;
        }
        answerDecoder.wrapAndApplyHeader(buffer, offset, header);
        final int resultLength = answerDecoder.resultLength();
        if (resultLength != size
            || answerDecoder.limit() + ClientAnswerDecoder.resultHeaderLength() + resultLength > offset + length) {
            listener.onMalformed();
            return;
        }
        final long seq = answerDecoder.correlationId();
        final long term = answerDecoder.term();
        answerDecoder.wrapResult(echo);
        onEcho(seq, term);
    }

    /** The echo in {@link #echo} answers message {@code seq}: it carries the message's stamp and sequence number. */
    private void onEcho(long seq, long term) {
        if (echo.getLong(Long.BYTES, ORDER) != seq) {
            listener.onMalformed();
            return;
        }
        listener.onEcho(seq, echo.getLong(0, ORDER), term);
    }

    @Override
    public void retarget(int nodeId) {
        target = indexOf(nodeId) >= 0 ? nodeId : ids[(Math.max(indexOf(target), 0) + 1) % ids.length];
    }

    @Override
    public int target() {
        return target;
    }

    private int indexOf(int nodeId) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == nodeId) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public void close() {
        for (ExclusivePublication p : publications) {
            CloseHelper.quietClose(p);
        }
        CloseHelper.quietCloseAll(replies, aeron, driver);
    }
}
