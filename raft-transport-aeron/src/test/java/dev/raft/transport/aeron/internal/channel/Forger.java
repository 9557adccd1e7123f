package dev.raft.transport.aeron.internal.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.EntryType;
import dev.raft.api.LogId;
import dev.raft.api.Membership;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.message.AppendEntriesRequest;
import dev.raft.api.message.AppendEntriesResponse;
import dev.raft.api.message.InstallSnapshotRequest;
import dev.raft.api.message.InstallSnapshotResponse;
import dev.raft.api.message.MessageType;
import dev.raft.api.message.RaftMessage;
import dev.raft.api.message.ReadIndexRequest;
import dev.raft.api.message.ReadIndexResponse;
import dev.raft.api.message.TimeoutNowRequest;
import dev.raft.api.message.TimeoutNowResponse;
import dev.raft.api.message.VoteRequest;
import dev.raft.api.message.VoteResponse;
import dev.raft.testkit.statemachine.KvStateMachine;
import dev.raft.transport.aeron.AeronTransportConfig;
import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.driver.MediaDriver;
import java.util.Map;
import java.util.TreeMap;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * An attacker on the network, for tests: its own embedded driver and raw publications to any endpoint, sending
 * whatever bytes it likes (forged frames of any cluster, sender, term; with or without a trailer).
 */
final class Forger implements AutoCloseable {
    private final MediaDriver driver;
    private final Aeron aeron;
    private final AeronTransportConfig config;
    private final Map<String, ExclusivePublication> publications = new TreeMap<>();

    /** A forger with its own driver; {@code config} names the driver's directory and channel settings. */
    Forger(AeronTransportConfig config) {
        this.config = config;
        MediaDriver d = null;
        Aeron a = null;
        try {
            d = MediaDriver.launch(EmbeddedDriver.driverContext(config));
            a = Aeron.connect(new Aeron.Context().aeronDirectoryName(config.aeronDirectory()));
        } catch (RuntimeException e) {
            CloseHelper.quietCloseAll(a, d);
            throw e;
        }
        driver = d;
        aeron = a;
    }

    /** A forger with its own driver (directory named after a node 99 that no cluster has). */
    static Forger start() {
        return new Forger(AeronTransportConfig.builder().clusterId(0).nodeId(99)
            .endpoint(99, "127.0.0.1:" + LiveCluster.freeUdpPort()).maxParkMicros(100).build());
    }

    /** A connected publication to {@code endpoint}. */
    ExclusivePublication publication(String endpoint) {
        final ExclusivePublication p = publications.computeIfAbsent(endpoint,
            e -> aeron.addExclusivePublication(config.publicationChannel(e), config.streamId()));
        LiveCluster.await(p::isConnected, "forger connected to " + endpoint);
        return p;
    }

    /** Sends {@code buffer[0, length)} to {@code endpoint} as one message, retrying back-pressure. */
    void send(String endpoint, DirectBuffer buffer, int length) {
        final ExclusivePublication p = publication(endpoint);
        long result;
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while ((result = p.offer(buffer, 0, length)) < 0) {
            assertTrue(result != Publication.CLOSED && result != Publication.MAX_POSITION_EXCEEDED, "offer " + result);
            assertTrue(System.nanoTime() < deadline, "offer back-pressured for 10 s");
            Thread.yield();
        }
    }

    /** Encodes {@code message} as a frame of cluster {@code clusterId} into {@code buffer}; returns its length. */
    static int encode(int clusterId, RaftMessage message, MutableDirectBuffer buffer) {
        final MessageEncoder encoder = new MessageEncoder(clusterId);
        final int length = encoder.encodedLength(message);
        assertEquals(length, encoder.encode(message, buffer, 0));
        return length;
    }

    /**
     * The most damaging message of {@code type} from {@code from} to {@code to} at {@code term}: a transfer vote,
     * granted votes, a successful response, an AppendEntries that overwrites the log from index 1 with PUTs of
     * {@code forgedKey} and commits far ahead, a finished snapshot, a TimeoutNow.
     */
    static RaftMessage damaging(MessageType type, int from, int to, long term, String forgedKey, Membership members) {
        final long far = Math.min(term, 1L << 40);
        return switch (type) {
            case VOTE_REQUEST -> new VoteRequest().set(from, to, term, far, term, false, true);
            case VOTE_RESPONSE -> new VoteResponse().set(from, to, term, true, false);
            case APPEND_ENTRIES_REQUEST -> {
                final AppendEntriesRequest m = new AppendEntriesRequest().set(from, to, term, 0, 0, far);
                for (int i = 0; i < 3; i++) {
                    m.entries().add(term, 1 + i, EntryType.NORMAL, KvStateMachine.put(forgedKey, new byte[] {6, 6, 6}));
                }
                yield m;
            }
            case APPEND_ENTRIES_RESPONSE -> new AppendEntriesResponse().success(from, to, term, far, far);
            case INSTALL_SNAPSHOT_REQUEST -> new InstallSnapshotRequest().set(from, to, term,
                new SnapshotMeta("forged-" + term, LogId.of(term, far), members), 0, new UnsafeBuffer(new byte[64]), 0, 64, true);
            case INSTALL_SNAPSHOT_RESPONSE -> new InstallSnapshotResponse().set(from, to, term, "forged", 0,
                InstallSnapshotResponse.Status.INSTALLED, 64);
            case TIMEOUT_NOW_REQUEST -> new TimeoutNowRequest().set(from, to, term);
            case TIMEOUT_NOW_RESPONSE -> new TimeoutNowResponse().set(from, to, term, true);
            case READ_INDEX_REQUEST -> new ReadIndexRequest().set(from, to, term, 1, true);
            case READ_INDEX_RESPONSE -> new ReadIndexResponse().set(from, to, term, 1, far, ReadIndexResponse.Status.OK);
        };
    }

    /** A scratch buffer for frames. */
    static MutableDirectBuffer buffer() {
        return new ExpandableArrayBuffer(4096);
    }

    @Override
    public void close() {
        CloseHelper.closeAll(publications.values());
        CloseHelper.closeAll(aeron, driver);
    }
}
