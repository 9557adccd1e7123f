package dev.raft.transport.aeron.internal.channel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Guice;
import dev.raft.api.Entry;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.message.InstallSnapshotRequest;
import dev.raft.api.message.InstallSnapshotResponse;
import dev.raft.api.message.RaftMessage;
import dev.raft.api.statemachine.SnapshotWriter;
import dev.raft.api.storage.SnapshotReader;
import dev.raft.api.storage.SnapshotSink;
import dev.raft.api.storage.SnapshotStore;
import dev.raft.testkit.memory.InMemoryStorageModule;
import dev.raft.testkit.statemachine.KvStateMachine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Random;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A multi-chunk snapshot crosses the wire: node 1 streams a state machine's snapshot (about 5 MiB) in
 * 1 MiB InstallSnapshot chunks, each acknowledged by node 2, which writes the chunks at their offsets
 * into the in-memory snapshot store, finishes it and restores a state machine from it. One chunk is sent
 * twice (a retransmission) and is idempotent. This test plays both Raft roles over two live transports,
 * at the largest chunk size; {@code AeronClusterTest} covers the same path driven by the core runtime.
 */
class SnapshotOverTheWireTest {
    private static final int CHUNK = 1024 * 1024;

    @Test
    @Timeout(60)
    void aMultiChunkSnapshotIsTransferredAcknowledgedAndInstalled() throws IOException {
        final KvStateMachine source = new KvStateMachine();
        final Random rnd = new Random(11);
        for (int i = 1; i <= 20_000; i++) {
            source.apply(Entry.normal(1, i, KvStateMachine.put("key-" + i, Messages.randomBytes(rnd, 250))));
        }
        final SnapshotWriter writer = source.takeSnapshot();
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        writer.writeTo(out);
        final byte[] snapshot = out.toByteArray();
        assertTrue(snapshot.length > 4 * CHUNK, "snapshot of " + snapshot.length + " bytes spans several chunks");
        final SnapshotMeta meta = new SnapshotMeta(SnapshotMeta.idFor(writer.lastApplied(), 1), writer.lastApplied(),
            Messages.MEMBERS);

        final SnapshotStore store = Guice.createInjector(new InMemoryStorageModule()).getInstance(SnapshotStore.class);
        final KvStateMachine target = new KvStateMachine();
        try (LiveCluster cluster = new LiveCluster(new int[] {1, 2, 3}, 1, 2)) {
            cluster.updateMembership(Messages.MEMBERS);
            cluster.awaitConnected();
            final AeronTransport leader = cluster.get(1);
            final AeronTransport follower = cluster.get(2);
            final Follower receiver = new Follower(follower, store, target);
            final InstallSnapshotRequest request = new InstallSnapshotRequest();
            final UnsafeBuffer bytes = new UnsafeBuffer(snapshot);
            int chunks = 0;
            for (long offset = 0; offset < snapshot.length; offset += CHUNK) {
                final int length = (int) Math.min(CHUNK, snapshot.length - offset);
                final boolean done = offset + length == snapshot.length;
                final int repeats = chunks == 2 ? 2 : 1;
                for (int r = 0; r < repeats; r++) {
                    request.set(1, 2, 3, meta, offset, bytes, (int) offset, length, done);
                    assertTrue(leader.send(request), "send chunk at " + offset);
                    final InstallSnapshotResponse ack = awaitAck(leader, follower, receiver);
                    assertEquals(meta.snapshotId(), ack.snapshotId());
                    assertEquals(offset, ack.chunkOffset());
                    assertEquals(done ? InstallSnapshotResponse.Status.INSTALLED : InstallSnapshotResponse.Status.ACCEPTED,
                        ack.status());
                    assertEquals(offset + length, ack.nextOffset());
                }
                chunks++;
            }
            assertTrue(chunks >= 5, chunks + " chunks");
        }
        assertEquals(source.fingerprint(), target.fingerprint(), "restored state machine equals the source");
        assertEquals(source.size(), target.size());
        assertArrayEquals(source.value("key-12345"), target.value("key-12345"));
        assertEquals(snapshot.length, store.current().orElseThrow().size());
    }

    private static InstallSnapshotResponse awaitAck(AeronTransport leader, AeronTransport follower, Follower receiver) {
        final InstallSnapshotResponse[] ack = new InstallSnapshotResponse[1];
        LiveCluster.await(() -> {
            follower.poll(receiver::onMessage, 16);
            leader.poll(m -> ack[0] = (InstallSnapshotResponse) m.copy(), 1);
            return ack[0] != null;
        }, "an InstallSnapshot acknowledgement");
        return ack[0];
    }

    /** The follower's side, as the engine would do it: positional writes, finish on done, restore. */
    private static final class Follower {
        private final AeronTransport transport;
        private final SnapshotStore store;
        private final KvStateMachine stateMachine;
        private final InstallSnapshotResponse response = new InstallSnapshotResponse();
        private SnapshotSink sink;

        Follower(AeronTransport transport, SnapshotStore store, KvStateMachine stateMachine) {
            this.transport = transport;
            this.store = store;
            this.stateMachine = stateMachine;
        }

        void onMessage(RaftMessage message) {
            final InstallSnapshotRequest request = (InstallSnapshotRequest) message;
            if (sink == null) {
                sink = store.begin(request.meta());
            }
            final ByteBuffer data = ByteBuffer.allocate(request.dataLength());
            request.dataBuffer().getBytes(0, data, request.dataLength());
            data.flip();
            sink.write(request.chunkOffset(), data);
            InstallSnapshotResponse.Status status = InstallSnapshotResponse.Status.ACCEPTED;
            final long next = sink.contiguousBytes();
            if (request.isDone()) {
                try (SnapshotReader reader = sink.finish()) {
                    stateMachine.restore(request.meta(), reader.openStream());
                } catch (IOException e) {
                    throw new AssertionError("restore failed", e);
                }
                status = InstallSnapshotResponse.Status.INSTALLED;
            }
            assertTrue(transport.send(response.set(2, 1, request.term(), request.snapshotId(), request.chunkOffset(), status,
                next)));
        }
    }
}
