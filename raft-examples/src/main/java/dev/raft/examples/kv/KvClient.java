package dev.raft.examples.kv;

import dev.raft.api.NodeId;
import dev.raft.api.Role;
import dev.raft.examples.internal.codec.ClientRequestEncoder;
import dev.raft.examples.internal.codec.ClientResponseDecoder;
import dev.raft.examples.internal.codec.MessageHeaderDecoder;
import dev.raft.examples.internal.codec.MessageHeaderEncoder;
import dev.raft.examples.internal.codec.RequestKind;
import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.Header;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * A client of a raftkv cluster over Aeron UDP: sends {@code ClientRequest}s to a server's client endpoint
 * (its Raft port + 1), receives {@code ClientResponse}s on an ephemeral port of its own, follows NOT_LEADER
 * redirects and tries the next node when one does not answer. Starts its own embedded media driver (shared
 * threading, backoff idle). Not thread-safe: one caller at a time.
 */
public final class KvClient implements AutoCloseable {
    private static final long ATTEMPT_NANOS = TimeUnit.MILLISECONDS.toNanos(1500);
    /** A node whose channel has not connected after this long is taken as down (a live one connects in milliseconds). */
    private static final long CONNECT_NANOS = TimeUnit.MILLISECONDS.toNanos(300);

    private final Map<Integer, String> cluster;
    private final List<Integer> ids;
    private final MediaDriver driver;
    private final Aeron aeron;
    private final Subscription replies;
    private final String replyTo;
    private final Map<Integer, ExclusivePublication> publications = new HashMap<>();
    private final ExpandableArrayBuffer sendBuffer = new ExpandableArrayBuffer(1024);
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final ClientResponseDecoder decoder = new ClientResponseDecoder();
    private final FragmentAssembler assembler = new FragmentAssembler(this::onResponse);
    private final IdleStrategy idle = new BackoffIdleStrategy(10, 10, TimeUnit.MICROSECONDS.toNanos(1),
        TimeUnit.MILLISECONDS.toNanos(1));
    private long nextCorrelationId = System.nanoTime();
    private long awaited;
    private Response received;
    private int preferred;

    /**
     * A node's answer.
     *
     * @param code           OK, NOT_LEADER or ERROR
     * @param nodeId         the answering node
     * @param role           its role
     * @param term           its term
     * @param leaderId       the leader it knows of, or {@link NodeId#NONE}
     * @param lastLogIndex   its last log index
     * @param committedIndex its commit index
     * @param appliedIndex   its applied index
     * @param result         the command's result (OK answers to commands), else null
     * @param message        what went wrong (ERROR, NOT_LEADER), else empty
     */
    public record Response(Code code, int nodeId, Role role, long term, int leaderId, long lastLogIndex,
                           long committedIndex, long appliedIndex, KvResult result, String message) {
        /** How a node answered. */
        public enum Code {
            /** It executed the command (or reported its status). */
            OK,
            /** It is not the leader; {@link #leaderId()} is the leader it knows of. */
            NOT_LEADER,
            /** The command failed on it; {@link #message()} says why. */
            ERROR
        }
    }

    /**
     * Starts the client's media driver and reply subscription.
     *
     * @param cluster   every node's Raft endpoint {@code host:port}, by id (clients are served on port + 1)
     * @param replyHost the address servers answer to, or null to pick the local address that routes to the
     *                  first node
     */
    public KvClient(Map<Integer, String> cluster, String replyHost) {
        this.cluster = new TreeMap<>(cluster);
        this.ids = new ArrayList<>(this.cluster.keySet());
        if (ids.isEmpty()) {
            throw new IllegalArgumentException("KvClient: the cluster has no node");
        }
        preferred = ids.get(0);
        final String host = replyHost != null ? replyHost : localAddressTowards(this.cluster.get(preferred));
        driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy(10, 10, TimeUnit.MICROSECONDS.toNanos(1),
                TimeUnit.MILLISECONDS.toNanos(1)))
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        Aeron connected = null;
        Subscription subscription = null;
        try {
            connected = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
            subscription = connected.addSubscription("aeron:udp?endpoint=" + host + ":0", ClientProtocol.STREAM_ID);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            List<String> bound = subscription.localSocketAddresses();
            while (bound.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("KvClient: the reply subscription on " + host + " did not bind within 5 s");
                }
                idle.idle();
                bound = subscription.localSocketAddresses();
            }
            final String address = bound.get(0);
            replyTo = host + address.substring(address.lastIndexOf(':'));
        } catch (RuntimeException e) {
            CloseHelper.quietCloseAll(subscription, connected, driver);
            throw e;
        }
        aeron = connected;
        replies = subscription;
    }

    private static String localAddressTowards(String endpoint) {
        final int colon = endpoint.lastIndexOf(':');
        final String host = endpoint.substring(0, colon);
        try (DatagramSocket probe = new DatagramSocket()) {
            final InetAddress target = InetAddress.getByName(host);
            if (target.isLoopbackAddress()) {
                return target.getHostAddress();
            }
            probe.connect(new InetSocketAddress(target, Integer.parseInt(endpoint.substring(colon + 1))));
            return probe.getLocalAddress().getHostAddress();
        } catch (IOException e) {
            throw new UncheckedIOException("KvClient: cannot find a local address that reaches " + endpoint + ": "
                + e.getMessage(), e);
        }
    }

    /** The endpoint servers answer to. */
    public String replyTo() {
        return replyTo;
    }

    /**
     * Executes an encoded command (see {@link KvCommands}) on the leader: starts with the last node that led,
     * follows NOT_LEADER redirects and moves on to the next node when one does not answer.
     *
     * @return the leader's OK or ERROR answer
     * @throws TimeoutException naming the nodes tried if no leader answered within {@code timeout}
     */
    public Response execute(byte[] command, Duration timeout) throws TimeoutException, InterruptedException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        int target = preferred;
        final StringBuilder tried = new StringBuilder();
        while (System.nanoTime() < deadline) {
            final Optional<Response> answer = request(target, RequestKind.COMMAND, command,
                Math.min(ATTEMPT_NANOS, deadline - System.nanoTime()));
            if (answer.isEmpty()) {
                tried.append(" node ").append(target).append(": no answer;");
                target = next(target);
                continue;
            }
            final Response r = answer.get();
            if (r.code() != Response.Code.NOT_LEADER) {
                preferred = target;
                return r;
            }
            tried.append(" node ").append(target).append(": not the leader;");
            if (r.leaderId() != NodeId.NONE && r.leaderId() != target && cluster.containsKey(r.leaderId())) {
                target = r.leaderId();
            } else {
                Thread.sleep(50); // an election is running: give it a moment
                target = next(target);
            }
        }
        throw new TimeoutException("no leader answered within " + timeout.toMillis() + " ms;" + tried);
    }

    /** Asks one node for its status. Empty if it did not answer within {@code timeout}. */
    public Optional<Response> status(int nodeId, Duration timeout) {
        return request(nodeId, RequestKind.STATUS, new byte[0], timeout.toNanos());
    }

    /** The node ids of the cluster, ascending. */
    public List<Integer> nodeIds() {
        return List.copyOf(ids);
    }

    /** The Raft endpoint of {@code nodeId}. */
    public String endpoint(int nodeId) {
        return cluster.get(nodeId);
    }

    private int next(int id) {
        return ids.get((ids.indexOf(id) + 1) % ids.size());
    }

    private Optional<Response> request(int nodeId, RequestKind kind, byte[] command, long timeoutNanos) {
        final long start = System.nanoTime();
        final long deadline = start + timeoutNanos;
        final ExclusivePublication publication = publications.computeIfAbsent(nodeId, id -> aeron.addExclusivePublication(
            ClientProtocol.channel(ClientService.clientEndpoint(cluster.get(id))), ClientProtocol.STREAM_ID));
        final long correlationId = ++nextCorrelationId;
        final ClientRequestEncoder encoder = new ClientRequestEncoder()
            .wrapAndApplyHeader(sendBuffer, 0, new MessageHeaderEncoder())
            .correlationId(correlationId)
            .kind(kind)
            .putCommand(command, 0, command.length);
        encoder.replyTo(replyTo);
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
        idle.reset();
        while (publication.offer(sendBuffer, 0, length) < 0) {
            final long now = System.nanoTime();
            if (now > deadline || (!publication.isConnected() && now - start > CONNECT_NANOS)) {
                return Optional.empty();
            }
            idle.idle();
        }
        awaited = correlationId;
        received = null;
        idle.reset();
        while (received == null) {
            if (System.nanoTime() > deadline) {
                return Optional.empty();
            }
            idle.idle(replies.poll(assembler, 16));
        }
        return Optional.of(received);
    }

    private void onResponse(DirectBuffer buffer, int offset, int length, Header frameHeader) {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH) {
            return;
        }
        header.wrap(buffer, offset);
        if (header.schemaId() != ClientResponseDecoder.SCHEMA_ID || header.templateId() != ClientResponseDecoder.TEMPLATE_ID) {
            return;
        }
        decoder.wrapAndApplyHeader(buffer, offset, header);
        if (decoder.correlationId() != awaited) {
            return; // a late answer to an attempt we gave up on
        }
        final Response.Code code = switch (decoder.code()) {
            case OK -> Response.Code.OK;
            case NOT_LEADER -> Response.Code.NOT_LEADER;
            case ERROR, NULL_VAL -> Response.Code.ERROR;
        };
        final int nodeId = decoder.nodeId();
        final short role = decoder.role();
        final long term = decoder.term();
        final int leaderId = decoder.leaderId();
        final long lastLogIndex = decoder.lastLogIndex();
        final long committed = decoder.committedIndex();
        final long applied = decoder.appliedIndex();
        final byte[] result = new byte[decoder.resultLength()];
        decoder.getResult(result, 0, result.length);
        final String message = decoder.message();
        final Role[] roles = Role.values();
        received = new Response(code, nodeId, role < roles.length ? roles[role] : Role.SHUTDOWN, term, leaderId,
            lastLogIndex, committed, applied, result.length > 0 ? KvCommands.decodeResult(result) : null, message);
    }

    /** Closes the publications, the subscription and the media driver. */
    @Override
    public void close() {
        publications.values().forEach(CloseHelper::quietClose);
        CloseHelper.quietCloseAll(replies, aeron, driver);
    }
}
