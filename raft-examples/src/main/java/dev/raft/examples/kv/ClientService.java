package dev.raft.examples.kv;

import dev.raft.api.error.NotLeaderException;
import dev.raft.examples.internal.codec.ClientRequestDecoder;
import dev.raft.examples.internal.codec.MessageHeaderDecoder;
import dev.raft.examples.internal.codec.RequestKind;
import dev.raft.examples.internal.codec.ResponseCode;
import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@link KvClient}s for one {@link KvNode}: subscribes on the node's client endpoint (the Raft
 * endpoint's port + 1) through the node's own media driver, proposes every command to the node as is, and
 * answers each request on the client's reply endpoint with the result and the node's metrics, or with
 * NOT_LEADER and the leader it knows of. One agent thread (backoff idle); command results come back from the
 * node's thread through a queue.
 */
public final class ClientService implements Agent, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClientService.class);
    private static final int MAX_PUBLICATIONS = 256;
    private static final long REPLY_DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final KvNode node;
    private final String endpoint;
    private final Aeron aeron;
    private final Subscription subscription;
    private final FragmentHandler assembler = new FragmentAssembler(this::onRequest);
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final ClientRequestDecoder request = new ClientRequestDecoder();
    private final ExpandableArrayBuffer sendBuffer = new ExpandableArrayBuffer(1024);
    private final ManyToOneConcurrentArrayQueue<Reply> completed = new ManyToOneConcurrentArrayQueue<>(4096);
    private final ArrayDeque<Reply> unsent = new ArrayDeque<>();
    private final Map<String, ExclusivePublication> publications = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ExclusivePublication> eldest) {
            if (size() > MAX_PUBLICATIONS) {
                eldest.getValue().close();
                return true;
            }
            return false;
        }
    };
    private AgentRunner runner;
    private long dropped;

    private record Reply(String replyTo, long correlationId, ResponseCode code, byte[] result, String message,
                         long deadlineNanos) {
    }

    /**
     * Connects to the node's media driver and subscribes on {@code endpoint} ({@code host:port}). Call
     * {@link #start()} to serve.
     */
    public ClientService(KvNode node, String endpoint) {
        this.node = node;
        this.endpoint = endpoint;
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(node.aeronDirectory()));
        try {
            subscription = aeron.addSubscription("aeron:udp?endpoint=" + endpoint, ClientProtocol.STREAM_ID);
        } catch (RuntimeException e) {
            aeron.close();
            throw e;
        }
    }

    /** The client endpoint of a node whose Raft endpoint is {@code raftEndpoint}: the same host, port + 1. */
    public static String clientEndpoint(String raftEndpoint) {
        final int colon = raftEndpoint.lastIndexOf(':');
        return raftEndpoint.substring(0, colon) + ":" + (Integer.parseInt(raftEndpoint.substring(colon + 1)) + 1);
    }

    /** Starts serving on a thread of its own. */
    public synchronized ClientService start() {
        if (runner != null) {
            throw new IllegalStateException("ClientService of node " + node.id() + " already started");
        }
        runner = new AgentRunner(new BackoffIdleStrategy(100, 10, TimeUnit.MICROSECONDS.toNanos(1),
            TimeUnit.MILLISECONDS.toNanos(1)), e -> LOG.warn("node {}: client service error", node.id(), e), null, this);
        AgentRunner.startOnThread(runner);
        return this;
    }

    @Override
    public String roleName() {
        return "raftkv-clients-" + node.id();
    }

    @Override
    public int doWork() {
        int work = subscription.poll(assembler, 16);
        Reply reply;
        while ((reply = completed.poll()) != null) {
            send(reply);
            work++;
        }
        final int retries = unsent.size();
        for (int i = 0; i < retries; i++) {
            send(unsent.poll());
        }
        return work;
    }

    private void onRequest(DirectBuffer buffer, int offset, int length, Header frameHeader) {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH) {
            dropped++;
            return;
        }
        header.wrap(buffer, offset);
        if (header.schemaId() != ClientRequestDecoder.SCHEMA_ID || header.templateId() != ClientRequestDecoder.TEMPLATE_ID) {
            dropped++;
            return;
        }
        request.wrapAndApplyHeader(buffer, offset, header);
        final long correlationId = request.correlationId();
        final RequestKind kind = request.kind();
        final byte[] command = new byte[request.commandLength()];
        request.getCommand(command, 0, command.length);
        final String replyTo = request.replyTo();
        if (replyTo.isEmpty()) {
            dropped++;
            return;
        }
        final long deadline = System.nanoTime() + REPLY_DEADLINE_NANOS;
        if (kind == RequestKind.COMMAND) {
            node.raft().propose(command).whenComplete((result, error) -> {
                final Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                final Reply r = cause == null
                    ? new Reply(replyTo, correlationId, ResponseCode.OK, result, null, deadline)
                    : cause instanceof NotLeaderException
                        ? new Reply(replyTo, correlationId, ResponseCode.NOT_LEADER, null, cause.getMessage(), deadline)
                        : new Reply(replyTo, correlationId, ResponseCode.ERROR, null, cause.toString(), deadline);
                if (!completed.offer(r)) {
                    dropped++;
                }
            });
        } else {
            send(new Reply(replyTo, correlationId, ResponseCode.OK, null, null, deadline));
        }
    }

    private void send(Reply reply) {
        final ExclusivePublication publication;
        try {
            publication = publications.computeIfAbsent(reply.replyTo(),
                to -> aeron.addExclusivePublication(ClientProtocol.channel(to), ClientProtocol.STREAM_ID));
        } catch (RuntimeException e) {
            LOG.warn("node {}: cannot answer client at '{}': {}", node.id(), reply.replyTo(), e.getMessage());
            dropped++;
            return;
        }
        final int length = ClientProtocol.encodeResponse(sendBuffer, reply.correlationId(), reply.code(), node.metrics(),
            reply.result(), reply.message());
        final long position = publication.offer(sendBuffer, 0, length);
        if (position > 0) {
            return;
        }
        if ((position == Publication.NOT_CONNECTED || position == Publication.BACK_PRESSURED
            || position == Publication.ADMIN_ACTION) && System.nanoTime() < reply.deadlineNanos()) {
            unsent.add(reply);
        } else {
            dropped++;
            if (position == Publication.CLOSED || position == Publication.MAX_POSITION_EXCEEDED) {
                publications.remove(reply.replyTo());
                publication.close();
            }
        }
    }

    /** Replies dropped so far (malformed requests, unreachable clients, a full queue). */
    public long dropped() {
        return dropped;
    }

    /** The endpoint this service listens on. */
    public String endpoint() {
        return endpoint;
    }

    @Override
    public void onClose() {
        publications.values().forEach(CloseHelper::quietClose);
        publications.clear();
        CloseHelper.quietClose(subscription);
    }

    /** Stops serving and disconnects from the media driver; the node stays up. Idempotent. */
    @Override
    public synchronized void close() {
        if (runner != null) {
            runner.close();
        } else {
            onClose();
        }
        CloseHelper.quietClose(aeron);
    }
}
