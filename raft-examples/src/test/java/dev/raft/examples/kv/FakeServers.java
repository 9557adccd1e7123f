package dev.raft.examples.kv;

import dev.raft.api.Role;
import dev.raft.examples.internal.codec.ClientRequestDecoder;
import dev.raft.examples.internal.codec.ClientResponseEncoder;
import dev.raft.examples.internal.codec.MessageHeaderDecoder;
import dev.raft.examples.internal.codec.MessageHeaderEncoder;
import dev.raft.examples.internal.codec.RequestKind;
import dev.raft.examples.internal.codec.ResponseCode;
import dev.raft.examples.internal.codec.SessionStatus;
import io.aeron.Aeron;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.agrona.CloseHelper;
import org.agrona.ExpandableArrayBuffer;

/**
 * Scripted client-protocol servers for deterministic {@link KvClient} tests: each fake node listens on a loopback
 * client endpoint and answers every request with what its {@link Script} says (or nothing), counting the commands it
 * received. One embedded media driver and one polling thread for all of them.
 */
@SuppressWarnings("exports") // a test helper: its scripts speak the generated codec types
public final class FakeServers implements AutoCloseable {
    /**
     * An answer: code, role, term, leader, leader endpoint, and the session table's verdict on a command (NULL_VAL:
     * none); null from a script means silence.
     */
    public record Answer(ResponseCode code, Role role, long term, int leaderId, String leaderEndpoint,
                         SessionStatus sessionStatus) {
        /** An answer without a session verdict. */
        public Answer(ResponseCode code, Role role, long term, int leaderId, String leaderEndpoint) {
            this(code, role, term, leaderId, leaderEndpoint, SessionStatus.NULL_VAL);
        }
    }

    /** The session fields of one received command. */
    public record Session(long clientId, long sequence, long ackedBelow) {
    }

    /** What a node answers; called on the polling thread. */
    public interface Script {
        Answer answer(RequestKind kind);
    }

    private final MediaDriver driver;
    private final Aeron aeron;
    private final Map<Integer, Subscription> subscriptions = new HashMap<>();
    private final Map<Integer, String> raftEndpoints = new HashMap<>();
    private final Map<Integer, Script> scripts = new ConcurrentHashMap<>();
    private final Map<Integer, AtomicInteger> commands = new ConcurrentHashMap<>();
    private final Map<Integer, List<Session>> sessions = new ConcurrentHashMap<>();
    private final Map<String, Publication> replies = new HashMap<>();
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
    private final Thread poller;
    private volatile boolean running = true;

    /** Nodes {@code ids} on the given Raft endpoints (their client endpoints are port + 1). */
    public FakeServers(Map<Integer, String> endpoints) {
        driver = MediaDriver.launchEmbedded(new MediaDriver.Context().threadingMode(ThreadingMode.SHARED)
            .termBufferSparseFile(true).dirDeleteOnStart(true).dirDeleteOnShutdown(true));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        endpoints.forEach((id, raft) -> {
            raftEndpoints.put(id, raft);
            commands.put(id, new AtomicInteger());
            sessions.put(id, java.util.Collections.synchronizedList(new ArrayList<>()));
            scripts.put(id, kind -> null);
            subscriptions.put(id, aeron.addSubscription("aeron:udp?endpoint=" + ClientProtocol.clientEndpoint(raft)
                + "|sparse=true", ClientProtocol.STREAM_ID));
        });
        final List<Runnable> polls = new ArrayList<>();
        subscriptions.forEach((id, subscription) -> {
            final FragmentAssembler assembler = new FragmentAssembler((b, offset, length, header) -> {
                final MessageHeaderDecoder h = new MessageHeaderDecoder().wrap(b, offset);
                final ClientRequestDecoder request = new ClientRequestDecoder().wrapAndApplyHeader(b, offset, h);
                final long correlationId = request.correlationId();
                final RequestKind kind = request.kind();
                final Session session = new Session(request.clientId(), request.sequence(), request.ackedBelow());
                request.skipCommand();
                final String replyTo = request.replyTo();
                if (kind == RequestKind.COMMAND) {
                    sessions.get(id).add(session);
                    commands.get(id).incrementAndGet();
                }
                final Answer answer = scripts.get(id).answer(kind);
                if (answer != null) {
                    reply(id, replyTo, correlationId, kind, answer);
                }
            });
            polls.add(() -> subscription.poll(assembler, 16));
        });
        poller = new Thread(() -> {
            while (running) {
                polls.forEach(Runnable::run);
                Thread.onSpinWait();
                try {
                    Thread.sleep(0, 200_000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "fake-servers");
        poller.start();
    }

    private void reply(int id, String replyTo, long correlationId, RequestKind kind, Answer a) {
        final Publication publication = replies.computeIfAbsent(replyTo,
            to -> aeron.addPublication(ClientProtocol.channel(to), ClientProtocol.STREAM_ID));
        final ClientResponseEncoder encoder = new ClientResponseEncoder()
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .correlationId(correlationId).code(a.code()).nodeId(id).role((short) a.role().ordinal()).term(a.term())
            .leaderId(a.leaderId()).lastLogIndex(1).committedIndex(1).appliedIndex(1)
            .sessionStatus(kind == RequestKind.COMMAND ? a.sessionStatus() : SessionStatus.NULL_VAL);
        final byte[] result = kind == RequestKind.COMMAND && a.code() == ResponseCode.OK
            ? KvCommands.result(dev.raft.examples.internal.codec.KvStatus.OK, new byte[0]) : new byte[0];
        encoder.putResult(result, 0, result.length);
        encoder.message(a.code() == ResponseCode.REJECTED ? "node " + id + " refused the command: scripted"
            : a.code() == ResponseCode.ERROR ? "node " + id + " lost its leadership: scripted" : "");
        encoder.leaderEndpoint(a.leaderEndpoint() == null ? "" : a.leaderEndpoint());
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
        final long deadline = System.nanoTime() + 2_000_000_000L;
        while (publication.offer(buffer, 0, length) < 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }

    /** Sets what node {@code id} answers from now on. */
    public void script(int id, Script script) {
        scripts.put(id, script);
    }

    /** Commands node {@code id} received so far. */
    public int commands(int id) {
        return commands.get(id).get();
    }

    /** The session fields of every command node {@code id} received, in order. */
    public List<Session> sessions(int id) {
        synchronized (sessions.get(id)) {
            return List.copyOf(sessions.get(id));
        }
    }

    /** The client endpoint of node {@code id}. */
    public String clientEndpoint(int id) {
        return ClientProtocol.clientEndpoint(raftEndpoints.get(id));
    }

    @Override
    public void close() {
        running = false;
        try {
            poller.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        replies.values().forEach(CloseHelper::quietClose);
        subscriptions.values().forEach(CloseHelper::quietClose);
        CloseHelper.quietCloseAll(aeron, driver);
    }
}
