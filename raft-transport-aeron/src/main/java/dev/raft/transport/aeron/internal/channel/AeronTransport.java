package dev.raft.transport.aeron.internal.channel;

import dev.raft.api.Membership;
import dev.raft.api.message.RaftMessage;
import dev.raft.api.transport.MessageHandler;
import dev.raft.api.transport.Transport;
import dev.raft.transport.aeron.AeronTransportConfig;
import dev.raft.transport.aeron.SourceCheck;
import dev.raft.transport.aeron.auth.KeyFile;
import dev.raft.transport.aeron.auth.MacKeys;
import dev.raft.transport.aeron.internal.counters.ReceiveDrop;
import dev.raft.transport.aeron.internal.counters.SendDrop;
import dev.raft.transport.aeron.internal.counters.TransportCounters;
import io.aeron.Aeron;
import io.aeron.ControlledFragmentAssembler;
import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.logbuffer.BufferClaim;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.Header;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.IntArrayList;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Aeron UDP {@link Transport} of one node: one subscription on the node's endpoint, one exclusive
 * publication per peer, SBE frames encoded straight into the publication and decoded with flyweights into
 * reusable messages.
 *
 * <h2>Polling</h2>
 * Receiving happens on the node's own thread inside {@link #poll}, called from the node agent's duty
 * cycle: no transport thread, no hand-off queue, no copy between threads. The message handed to the
 * handler points into reusable objects, as the SPI allows.
 *
 * <h2>Sending</h2>
 * Frames up to the publication's max payload are claimed ({@code tryClaim}) and encoded in place; larger
 * ones are encoded once into a reusable buffer and {@code offer}ed, fragmented by Aeron and reassembled
 * by a {@link ControlledFragmentAssembler} on the receiver. BACK_PRESSURED, NOT_CONNECTED and
 * ADMIN_ACTION are retried {@link AeronTransportConfig#backPressureRetries()} times, then the message is
 * dropped and counted (Raft retransmits); CLOSED and MAX_POSITION_EXCEEDED are errors, counted and logged
 * once per reason. {@code send} never throws for a peer that is down, slow or unknown.
 *
 * <h2>Authentication</h2>
 * With a key file ({@link AeronTransportConfig#keyFile()}) every frame carries a {@link FrameGuard} trailer
 * (sequence and HMAC tag). A received frame without a valid tag is dropped as {@code bad-mac} before it is
 * decoded; a decoded frame whose sequence is not above its sender's last is dropped as {@code replay}. The
 * source address of every delivered frame is checked against its sender's host ({@link SourceCheck}).
 */
public final class AeronTransport implements Transport, ControlledFragmentHandler {
    private static final Logger LOG = LoggerFactory.getLogger(AeronTransport.class);
    /** Ended sessions queued for the node's thread; past this many between two polls, every buffer is freed at once. */
    private static final int ENDED_SESSIONS = 256;

    private final AeronTransportConfig config;
    private final int localId;
    private final MediaDriver driver;
    private final Aeron aeron;
    private final Subscription subscription;
    private final TransportCounters counters;
    private final MessageEncoder encoder;
    private final FrameDecoder decoder;
    private final FrameGuard guard;
    private final int trailerLength;
    private final SourceHosts sourceHosts;
    private final ControlledFragmentAssembler assembler = new ControlledFragmentAssembler(this);
    private final BufferClaim claim = new BufferClaim();
    private final ExpandableDirectByteBuffer scratch;
    private final Int2ObjectHashMap<Peer> peers = new Int2ObjectHashMap<>();
    private final Set<SendDrop> sendErrorsLogged = EnumSet.noneOf(SendDrop.class);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ManyToOneConcurrentArrayQueue<Integer> endedSessions = new ManyToOneConcurrentArrayQueue<>(ENDED_SESSIONS);
    private final AtomicBoolean endedSessionsOverflow = new AtomicBoolean();

    private MessageHandler handler;
    private int delivered;
    private int deliverLimit;
    private boolean decodeErrorLogged;

    /** Starts the media driver (if embedded), connects to it and subscribes on the local endpoint. */
    public AeronTransport(AeronTransportConfig config) {
        this.config = config;
        this.localId = config.nodeId();
        this.encoder = new MessageEncoder(config.clusterId());
        this.decoder = new FrameDecoder(config.clusterId(), localId);
        this.scratch = new ExpandableDirectByteBuffer(Math.min(config.maxMessageLength(), 1024 * 1024));
        this.sourceHosts = new SourceHosts(localId);
        final MacKeys keys = config.authenticated() ? KeyFile.load(config.keyFile()) : null;
        this.trailerLength = keys != null ? FrameGuard.TRAILER_LENGTH : 0;
        MediaDriver startedDriver = null;
        Aeron connected = null;
        try {
            if (config.embeddedDriver()) {
                startedDriver = EmbeddedDriver.launch(config);
            }
            connected = Aeron.connect(new Aeron.Context().aeronDirectoryName(config.aeronDirectory())
                .errorHandler(t -> LOG.warn("node {}: Aeron client error", localId, t)));
            this.counters = new TransportCounters(connected, config.clusterId(), localId);
            this.guard = keys != null ? new FrameGuard(config, keys, counters) : null;
            // an image that goes away (a peer closed, restarted or was removed) hands its session id to the node's
            // thread, which frees the session's reassembly buffer: Aeron keeps one per session until told
            this.subscription = connected.addSubscription(config.subscriptionChannel(), config.streamId(), image -> { },
                image -> {
                    if (!endedSessions.offer(image.sessionId())) {
                        endedSessionsOverflow.set(true);
                    }
                });
        } catch (RuntimeException e) {
            CloseHelper.quietCloseAll(connected, startedDriver);
            throw e;
        }
        this.driver = startedDriver;
        this.aeron = connected;
        LOG.info("node {}: Aeron transport listening on {} stream {} ({} driver at {}; {}; source check {})", localId,
            config.subscriptionChannel(), config.streamId(), driver != null ? "embedded" : "external", config.aeronDirectory(),
            guard != null ? "frames authenticated with " + config.keyFile() : "frames NOT authenticated", config.sourceCheck());
    }

    @Override
    public int localId() {
        return localId;
    }

    /** The transport's counters (also visible in the driver's counters file). */
    public TransportCounters counters() {
        return counters;
    }

    /** The Aeron client (for tools and tests). */
    public Aeron aeron() {
        return aeron;
    }

    /** The fragment assembler of received frames (for tests). */
    ControlledFragmentAssembler assembler() {
        return assembler;
    }

    /** Whether a publication to {@code peerId} is open. */
    public boolean hasRoute(int peerId) {
        return peers.containsKey(peerId);
    }

    /** Whether the publication to {@code peerId} is connected. */
    public boolean isConnected(int peerId) {
        final Peer peer = peers.get(peerId);
        return peer != null && peer.publication.isConnected();
    }

    @Override
    public boolean send(RaftMessage message) {
        if (closed.get()) {
            throw new IllegalStateException("AeronTransport of node " + localId + " is closed");
        }
        requireClient();
        final Peer peer = peers.get(message.to());
        if (peer == null) {
            counters.onDrop(SendDrop.NO_ROUTE);
            return false;
        }
        if (message.from() != localId) {
            return fail(SendDrop.INVALID_MESSAGE, peer, message);
        }
        final ExclusivePublication publication = peer.publication;
        final int encoded;
        try {
            encoded = encoder.encodedLength(message);
        } catch (RuntimeException e) {
            return encodeFailed(message, e);
        }
        if (encoded < 0 || encoded > publication.maxMessageLength() - trailerLength) {
            return fail(SendDrop.OVERSIZE, peer, message);
        }
        final int length = encoded + trailerLength;
        final boolean claimable = length <= publication.maxPayloadLength();
        if (!claimable) {
            scratch.checkLimit(length);
            try {
                encoder.encode(message, scratch, 0);
            } catch (RuntimeException e) {
                return encodeFailed(message, e);
            }
            if (guard != null) {
                guard.seal(scratch, 0, encoded);
            }
        }
        long result = Publication.NOT_CONNECTED;
        for (int attempt = 0; attempt <= config.backPressureRetries(); attempt++) {
            if (claimable) {
                result = publication.tryClaim(length, claim);
                if (result > 0) {
                    try {
                        encoder.encode(message, claim.buffer(), claim.offset());
                    } catch (RuntimeException e) {
                        claim.abort();
                        return encodeFailed(message, e);
                    }
                    if (guard != null) {
                        guard.seal(claim.buffer(), claim.offset(), encoded);
                    }
                    claim.commit();
                }
            } else {
                result = publication.offer(scratch, 0, length);
            }
            if (result > 0) {
                counters.onFrameOut(length);
                return true;
            }
            if (result == Publication.CLOSED) {
                return fail(SendDrop.PUBLICATION_CLOSED, peer, message);
            }
            if (result == Publication.MAX_POSITION_EXCEEDED) {
                return fail(SendDrop.MAX_POSITION_EXCEEDED, peer, message);
            }
            counters.onBackPressure();
            Thread.onSpinWait();
        }
        counters.onDrop(result == Publication.BACK_PRESSURED ? SendDrop.BACK_PRESSURED
            : result == Publication.ADMIN_ACTION ? SendDrop.ADMIN_ACTION : SendDrop.NOT_CONNECTED);
        return false;
    }

    /**
     * Fails if the Aeron client closed itself: it does when its driver times it out or it misses its own
     * service interval (a starved process), and then unmaps the counters and log buffers this transport
     * writes, so going on would crash the JVM (SIGSEGV). A fatal error for the node instead.
     */
    private void requireClient() {
        if (aeron.isClosed()) {
            throw new IllegalStateException("node " + localId + ": the Aeron client closed itself (driver or client"
                + " timeout, logged as an Aeron client error before); the transport can no longer send or receive");
        }
    }

    /** A message the encoder rejected (a bug in its producer): counted, logged once, never thrown. */
    private boolean encodeFailed(RaftMessage message, RuntimeException e) {
        counters.onDrop(SendDrop.INVALID_MESSAGE);
        if (sendErrorsLogged.add(SendDrop.INVALID_MESSAGE)) {
            LOG.error("node {}: encoding {} failed; dropped (further drops for this reason are only counted)",
                localId, message, e);
        }
        return false;
    }

    /** Counts a dropped message; errors and invalid messages are also logged, once per reason. */
    private boolean fail(SendDrop reason, Peer peer, RaftMessage message) {
        counters.onDrop(reason);
        if (sendErrorsLogged.add(reason)) {
            LOG.error("node {}: dropping {} to node {} ({}): {}; further drops for this reason are only counted",
                localId, message.type(), peer.id, peer.publication.channel(), reason.label());
        }
        return false;
    }

    @Override
    public int poll(MessageHandler handler, int limit) {
        if (closed.get() || limit <= 0) {
            return 0;
        }
        requireClient();
        if (guard != null) {
            guard.maybeReload(System.nanoTime());
        }
        freeEndedSessions();
        this.handler = handler;
        this.delivered = 0;
        this.deliverLimit = limit;
        try {
            subscription.controlledPoll(assembler, Math.max(limit, config.pollFragmentLimit()));
        } finally {
            this.handler = null;
        }
        return delivered;
    }

    /**
     * Frees the reassembly buffers of the sessions whose images went away, so that peers that come and go (restarts,
     * membership changes, a sender that stops mid-message) cannot make the buffers pile up.
     */
    private void freeEndedSessions() {
        if (endedSessionsOverflow.getAndSet(false)) {
            endedSessions.clear();
            assembler.clear();
            return;
        }
        for (Integer session = endedSessions.poll(); session != null; session = endedSessions.poll()) {
            assembler.freeSessionBuffer(session);
        }
    }

    @Override
    public Action onFragment(DirectBuffer buffer, int offset, int length, Header header) {
        counters.onFrameIn(length);
        if (guard != null && !guard.verify(buffer, offset, length)) {
            counters.onDrop(ReceiveDrop.BAD_MAC);
            return Action.CONTINUE;
        }
        ReceiveDrop drop;
        try {
            drop = decoder.decode(buffer, offset, length - trailerLength);
        } catch (RuntimeException e) {
            drop = ReceiveDrop.DECODE_ERROR;
            if (!decodeErrorLogged) {
                decodeErrorLogged = true;
                LOG.error("node {}: decoding a {}-byte frame from session {} threw; dropped (logged once)",
                    localId, length, header.sessionId(), e);
            }
        }
        if (drop == null) {
            drop = checkOrigin(decoder.message().from(), header);
        }
        if (drop != null) {
            counters.onDrop(drop);
            return Action.CONTINUE;
        }
        counters.onDelivered();
        handler.onMessage(decoder.message());
        return ++delivered >= deliverLimit ? Action.BREAK : Action.CONTINUE;
    }

    /** The replay and source-address checks of a decoded frame from {@code from}: null to deliver it, else why not. */
    private ReceiveDrop checkOrigin(int from, Header header) {
        if (guard != null && !guard.fresh(from)) {
            return ReceiveDrop.REPLAY;
        }
        if (config.sourceCheck() != SourceCheck.OFF && header.context() instanceof Image image
            && !sourceHosts.matches(from, image.sourceIdentity())) {
            counters.onSourceMismatch();
            if (config.sourceCheck() == SourceCheck.DROP) {
                return ReceiveDrop.SOURCE_MISMATCH;
            }
        }
        return null;
    }

    @Override
    public void updateMembership(Membership membership) {
        if (closed.get()) {
            throw new IllegalStateException("AeronTransport of node " + localId + " is closed");
        }
        final PeerEndpoints next = PeerEndpoints.of(config, membership);
        decoder.senders(next.senders());
        sourceHosts.update(next.routes());
        final IntArrayList stale = new IntArrayList();
        for (Peer peer : peers.values()) {
            if (!peer.endpoint.equals(next.routes().get(peer.id))) {
                stale.addInt(peer.id);
            }
        }
        for (int i = 0; i < stale.size(); i++) {
            final Peer peer = peers.remove(stale.getInt(i));
            LOG.info("node {}: closing route to node {} at {} ({})", localId, peer.id, peer.endpoint,
                next.routes().containsKey(peer.id) ? "its endpoint changed" : "no longer a member");
            CloseHelper.close(peer.publication);
        }
        next.routes().forEach((id, endpoint) -> {
            if (!peers.containsKey(id)) {
                final String channel = config.publicationChannel(endpoint);
                peers.put(id, new Peer(id, endpoint, aeron.addExclusivePublication(channel, config.streamId())));
                LOG.info("node {}: route to node {} on {}", localId, id, channel);
            }
        });
        next.missing().forEach(id -> LOG.warn("node {}: member {} has no endpoint in the membership nor in"
            + " AeronTransportConfig.endpoints {}; messages to it are dropped", localId, id, config.endpoints().keySet()));
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (Peer peer : peers.values()) {
            CloseHelper.quietClose(peer.publication);
        }
        peers.clear();
        CloseHelper.quietCloseAll(subscription, counters, aeron, driver);
        if (driver != null) {
            EmbeddedDriver.removeStaleDirectories(config);
        }
        LOG.info("node {}: Aeron transport closed", localId);
    }

    @Override
    public String toString() {
        return "AeronTransport{node=" + localId + ", " + config.subscriptionChannel() + "}";
    }

    private record Peer(int id, String endpoint, ExclusivePublication publication) {
    }
}
