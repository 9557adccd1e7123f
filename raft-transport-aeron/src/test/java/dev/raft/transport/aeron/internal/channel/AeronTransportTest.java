package dev.raft.transport.aeron.internal.channel;

import static dev.raft.transport.aeron.internal.channel.Messages.MEMBERS;
import static dev.raft.transport.aeron.internal.channel.Messages.assertSameMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Guice;
import dev.raft.api.LogId;
import dev.raft.api.Membership;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.message.InstallSnapshotRequest;
import dev.raft.api.message.MessageType;
import dev.raft.api.message.RaftMessage;
import dev.raft.api.message.TimeoutNowRequest;
import dev.raft.api.message.VoteRequest;
import dev.raft.api.transport.Transport;
import dev.raft.transport.aeron.AeronTransportModule;
import dev.raft.transport.aeron.internal.counters.ReceiveDrop;
import dev.raft.transport.aeron.internal.counters.SendDrop;
import dev.raft.transport.aeron.internal.counters.TransportCounters;
import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import java.io.File;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Three live transports over Aeron UDP on 127.0.0.1. */
@Timeout(60)
class AeronTransportTest {
    private static final int[] IDS = {1, 2, 3};

    @Test
    void everyMessageTypeTravelsBetweenEveryPairOfThreeNodes() {
        try (LiveCluster cluster = new LiveCluster(IDS, 1, 2, 3)) {
            cluster.updateMembership(MEMBERS);
            cluster.awaitConnected();
            final Random rnd = new Random(42);
            for (int from : IDS) {
                for (int to : IDS) {
                    if (from == to) {
                        continue;
                    }
                    for (MessageType type : MessageType.values()) {
                        final RaftMessage sent = Messages.random(rnd, type, from, to, 2000);
                        assertTrue(cluster.get(from).send(sent), () -> "send " + sent);
                        assertSameMessage(sent, LiveCluster.receive(cluster.get(to)));
                    }
                }
            }
            final TransportCounters counters = cluster.get(2).counters();
            assertEquals(2L * MessageType.values().length, counters.messagesDelivered());
            assertEquals(counters.framesIn(), counters.messagesDelivered());
            assertEquals(0, counters.totalReceiveDrops());
            assertEquals(2L * MessageType.values().length, counters.framesOut());
            assertTrue(counters.bytesIn() > 0 && counters.bytesOut() > 0);
        }
    }

    @Test
    void largeSnapshotChunksAreFragmentedAndReassembled() {
        try (LiveCluster cluster = new LiveCluster(IDS, 1, 2)) {
            cluster.updateMembership(MEMBERS);
            cluster.awaitConnected();
            final SnapshotMeta meta = new SnapshotMeta("snap-7", LogId.of(2, 1000), MEMBERS);
            for (int size : new int[] {1, 1376, 64 * 1024, 1024 * 1024, 2 * 1024 * 1024 - 512}) {
                final byte[] data = Messages.randomBytes(new Random(size), size);
                final InstallSnapshotRequest sent = new InstallSnapshotRequest().set(1, 2, 3, meta, 4096,
                    new UnsafeBuffer(data), 0, size, false);
                assertTrue(cluster.get(1).send(sent), "send a chunk of " + size + " bytes");
                assertSameMessage(sent, LiveCluster.receive(cluster.get(2)));
            }
        }
    }

    @Test
    void pollDeliversAtMostTheLimit() {
        try (LiveCluster cluster = new LiveCluster(IDS, 1, 2)) {
            cluster.updateMembership(MEMBERS);
            cluster.awaitConnected();
            for (int i = 0; i < 10; i++) {
                assertTrue(cluster.get(1).send(new TimeoutNowRequest().set(1, 2, i)));
            }
            final long[] terms = new long[10];
            final int[] n = {0};
            LiveCluster.await(() -> {
                final int got = cluster.get(2).poll(m -> terms[n[0]++] = m.term(), 3);
                assertTrue(got <= 3, "delivered " + got + " with limit 3");
                return n[0] == 10;
            }, "ten messages");
            for (int i = 0; i < 10; i++) {
                assertEquals(i, terms[i], "messages arrive in order");
            }
        }
    }

    @Test
    void membershipChangesOpenAndCloseRoutesAndFilterSenders() {
        try (LiveCluster cluster = new LiveCluster(IDS, 1, 2, 3)) {
            cluster.updateMembership(Membership.of(1, 2));
            assertFalse(cluster.get(1).hasRoute(3));
            assertFalse(cluster.get(1).send(new TimeoutNowRequest().set(1, 3, 1)), "no route to a non-member");
            assertEquals(1, cluster.get(1).counters().drops(SendDrop.NO_ROUTE));

            cluster.get(3).updateMembership(MEMBERS);
            cluster.awaitConnected();
            assertTrue(cluster.get(3).send(new TimeoutNowRequest().set(3, 1, 1)));
            LiveCluster.await(() -> {
                assertEquals(0, cluster.get(1).poll(m -> { }, 10), "nothing delivered from a non-member");
                return cluster.get(1).counters().drops(ReceiveDrop.UNKNOWN_SENDER) == 1;
            }, "drop from non-member");

            cluster.get(1).updateMembership(MEMBERS);
            assertTrue(cluster.get(1).hasRoute(3));
            cluster.awaitConnected();
            assertTrue(cluster.get(3).send(new TimeoutNowRequest().set(3, 1, 2)));
            assertEquals(2, LiveCluster.receive(cluster.get(1)).term());

            cluster.get(1).updateMembership(Membership.of(1, 2));
            assertFalse(cluster.get(1).hasRoute(3), "route closed when the member is removed");
        }
    }

    @Test
    void sendingToAPeerThatIsDownIsBoundedDroppedAndCounted() {
        try (LiveCluster cluster = new LiveCluster(IDS, 1)) {
            cluster.updateMembership(MEMBERS);
            final AeronTransport one = cluster.get(1);
            final long start = System.nanoTime();
            for (int i = 0; i < 100; i++) {
                assertFalse(one.send(new VoteRequest().set(1, 2, 1, 0, 0, true, false)));
            }
            assertTrue(System.nanoTime() - start < 1_000_000_000L, "bounded retries");
            assertEquals(100, one.counters().drops(SendDrop.NOT_CONNECTED));
            assertEquals(100L * (cluster.config(1).build().backPressureRetries() + 1), one.counters().backPressureEvents(),
                "every attempt of every send counted");
            assertFalse(one.send(new VoteRequest().set(3, 2, 1, 0, 0, true, false)), "another node's message");
            assertEquals(1, one.counters().drops(SendDrop.INVALID_MESSAGE));
            assertFalse(one.send(new InstallSnapshotRequest().from(1).to(2)), "a chunk without snapshot meta");
            assertEquals(2, one.counters().drops(SendDrop.INVALID_MESSAGE));
        }
    }

    @Test
    void aReceiverThatDoesNotPollBackPressuresTheSenderWhichDropsAfterBoundedRetries() {
        try (LiveCluster cluster = new LiveCluster(IDS)) {
            final AeronTransport one = new AeronTransport(cluster.config(1).termLength(64 * 1024).build());
            cluster.transports.put(1, one);
            cluster.start(2);
            cluster.updateMembership(MEMBERS);
            cluster.awaitConnected();
            final dev.raft.api.message.AppendEntriesRequest batch = new dev.raft.api.message.AppendEntriesRequest()
                .set(1, 2, 1, 0, 0, 0);
            batch.entries().add(1, 1, dev.raft.api.EntryType.NORMAL, new byte[1000]);
            int sent = 0;
            while (one.send(batch) && sent < 100_000) {
                sent++;
            }
            assertTrue(sent < 100_000, "node 2 never polls: its window must fill");
            assertEquals(1, one.counters().drops(SendDrop.BACK_PRESSURED));
            assertEquals(sent, one.counters().framesOut());
            assertTrue(one.counters().backPressureEvents() >= cluster.config(1).build().backPressureRetries() + 1);
        }
    }

    @Test
    void oversizedMessagesAreDroppedAndCounted() {
        try (LiveCluster cluster = new LiveCluster(IDS, 1, 2)) {
            cluster.updateMembership(MEMBERS);
            final SnapshotMeta meta = new SnapshotMeta("big", LogId.of(2, 1000), MEMBERS);
            final int size = 2 * 1024 * 1024;
            final InstallSnapshotRequest chunk = new InstallSnapshotRequest().set(1, 2, 3, meta, 0,
                new UnsafeBuffer(new byte[size]), 0, size, false);
            assertFalse(cluster.get(1).send(chunk));
            assertEquals(1, cluster.get(1).counters().drops(SendDrop.OVERSIZE));
        }
    }

    @Test
    void countersLiveInTheDriversCountersFile() {
        try (LiveCluster cluster = new LiveCluster(IDS, 1)) {
            final AeronTransport one = cluster.get(1);
            final String dir = one.aeron().context().aeronDirectoryName();
            final Map<String, Integer> found = new HashMap<>();
            try (Aeron reader = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir))) {
                reader.countersReader().forEach((id, typeId, key, label) -> {
                    if (typeId == TransportCounters.TYPE_ID) {
                        found.put(label, id);
                    }
                });
            }
            final String prefix = TransportCounters.labelPrefix(Messages.CLUSTER, 1);
            assertTrue(found.containsKey(prefix + "frames-in"), found.keySet().toString());
            assertTrue(found.containsKey(prefix + "back-pressure-events"));
            for (ReceiveDrop reason : ReceiveDrop.values()) {
                assertTrue(found.containsKey(prefix + "receive-drop " + reason.label()), reason.toString());
            }
            for (SendDrop reason : SendDrop.values()) {
                assertTrue(found.containsKey(prefix + "send-drop " + reason.label()), reason.toString());
            }
        }
    }

    @Test
    void closeIsIdempotentDeletesTheDriverDirectoryAndSendThenThrows() {
        try (LiveCluster cluster = new LiveCluster(IDS, 1)) {
            final AeronTransport one = cluster.get(1);
            final File dir = new File(one.aeron().context().aeronDirectoryName());
            assertTrue(dir.isDirectory());
            one.close();
            one.close();
            assertFalse(dir.exists(), "embedded driver directory deleted on close: " + dir);
            assertThrows(IllegalStateException.class, () -> one.send(new TimeoutNowRequest().set(1, 2, 1)));
            assertEquals(0, one.poll(m -> { }, 10));
        }
    }

    @Test
    void externalDriverIsUsedThroughItsDirectoryAndOutlivesTheTransport() {
        try (LiveCluster cluster = new LiveCluster(IDS, 1)) {
            final String dir = cluster.config(2).build().aeronDirectory() + "-external";
            try (MediaDriver driver = MediaDriver.launch(EmbeddedDriver.driverContext(cluster.config(2).aeronDirectory(dir).build()))) {
                final AeronTransport two = new AeronTransport(cluster.config(2).embeddedDriver(false).aeronDirectory(dir).build());
                cluster.transports.put(2, two);
                cluster.updateMembership(MEMBERS);
                cluster.awaitConnected();
                assertTrue(cluster.get(1).send(new TimeoutNowRequest().set(1, 2, 5)));
                assertEquals(5, LiveCluster.receive(two).term());
                two.close();
                assertTrue(new File(driver.aeronDirectoryName()).isDirectory(), "an external driver's directory is not ours to delete");
            }
        }
    }

    @Test
    void guiceModuleBindsTheTransport() {
        final LiveCluster ports = new LiveCluster(IDS);
        try (Transport transport = Guice.createInjector(new AeronTransportModule(ports.config(2).build()))
            .getInstance(Transport.class)) {
            assertInstanceOf(AeronTransport.class, transport);
            assertEquals(2, transport.localId());
        }
    }
}
