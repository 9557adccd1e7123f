package dev.raft.transport.aeron.internal.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.Membership;
import dev.raft.api.message.MessageType;
import dev.raft.api.message.RaftMessage;
import dev.raft.api.message.VoteRequest;
import dev.raft.transport.aeron.AeronTransportConfig;
import dev.raft.transport.aeron.SourceCheck;
import dev.raft.transport.aeron.auth.KeyFile;
import dev.raft.transport.aeron.auth.KeyFileException;
import dev.raft.transport.aeron.auth.MacKeys;
import dev.raft.transport.aeron.internal.counters.ReceiveDrop;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.agrona.MutableDirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Authenticated transports on 127.0.0.1: every message type crosses with its trailer; a captured frame replayed
 * later (any type: the transfer-flag vote, every response) is dropped as a replay while fresh frames pass;
 * source addresses are checked against the claimed sender's host; a bad key file stops the start.
 */
class AuthenticatedTransportTest {
    @TempDir
    Path dir;

    private Path keyFile(MacKeys keys) {
        final Path file = dir.resolve("cluster.key");
        KeyFile.write(file, keys);
        return file;
    }

    private static List<RaftMessage> received(AeronTransport t, int count) {
        final List<RaftMessage> out = new ArrayList<>();
        LiveCluster.await(() -> {
            t.poll(m -> out.add(m.copy()), 100);
            return out.size() >= count;
        }, count + " messages at node " + t.localId());
        return out;
    }

    @Test
    @Timeout(60)
    void everyMessageTypeCrossesAuthenticatedAndCountsNoDrop() {
        final Path key = keyFile(MacKeys.of(KeyFile.randomKey()));
        try (LiveCluster cluster = new LiveCluster(new int[] {1, 2, 3})) {
            for (int id : new int[] {1, 2}) {
                cluster.start(id, b -> b.keyFile(key).sourceCheck(SourceCheck.DROP));
            }
            cluster.updateMembership(Messages.MEMBERS);
            cluster.awaitConnected();
            final Random rnd = new Random(3);
            for (MessageType type : MessageType.values()) {
                for (int i = 0; i < 20; i++) {
                    final RaftMessage m = Messages.random(rnd, type, 1, 2, 2000);
                    assertTrue(cluster.get(1).send(m), "sent " + m);
                    Messages.assertSameMessage(m, LiveCluster.receive(cluster.get(2)));
                }
            }
            assertEquals(0, cluster.get(2).counters().totalReceiveDrops());
            assertEquals(0, cluster.get(2).counters().sourceMismatches(), "127.0.0.1 is node 1's host");
        }
    }

    @Test
    @Timeout(60)
    void aReplayedFrameOfAnyTypeIsDroppedAndFreshFramesPass() {
        final MacKeys keys = MacKeys.of(KeyFile.randomKey());
        final Path key = keyFile(keys);
        try (LiveCluster cluster = new LiveCluster(new int[] {1, 2, 3}); Forger network = Forger.start()) {
            final AeronTransport target = cluster.start(2, b -> b.keyFile(key));
            target.updateMembership(Messages.MEMBERS);
            // what node 1 and node 3 put on the wire, as a recording attacker captures it
            final AeronTransportConfig one = cluster.config(1).keyFile(key).keyReloadMillis(0).build();
            final AeronTransportConfig three = cluster.config(3).keyFile(key).keyReloadMillis(0).build();
            final FrameGuard nodeOne = new FrameGuard(one, keys, null);
            final FrameGuard nodeThree = new FrameGuard(three, keys, null);
            final String endpoint = cluster.endpoints.get(2);
            final Random rnd = new Random(9);
            final List<MutableDirectBuffer> captured = new ArrayList<>();
            final List<Integer> lengths = new ArrayList<>();
            for (MessageType type : MessageType.values()) {
                final RaftMessage m = type == MessageType.VOTE_REQUEST
                    ? new VoteRequest().set(1, 2, 7, 100, 6, false, true) // the transfer-flag vote
                    : Messages.random(rnd, type, 1, 2, 100);
                final MutableDirectBuffer frame = Forger.buffer();
                final int length = Forger.encode(Messages.CLUSTER, m, frame);
                nodeOne.seal(frame, 0, length);
                captured.add(frame);
                lengths.add(length + FrameGuard.TRAILER_LENGTH);
                network.send(endpoint, frame, length + FrameGuard.TRAILER_LENGTH);
                Messages.assertSameMessage(m, LiveCluster.receive(target));
            }
            final int types = captured.size();
            for (int i = 0; i < types; i++) { // replayed later, in order
                network.send(endpoint, captured.get(i), lengths.get(i));
            }
            for (int i = types - 1; i >= 0; i--) { // and in reverse
                network.send(endpoint, captured.get(i), lengths.get(i));
            }
            LiveCluster.await(() -> {
                target.poll(m -> {
                    throw new AssertionError("a replay was delivered: " + m);
                }, 100);
                return target.counters().drops(ReceiveDrop.REPLAY) == 2L * types;
            }, "every replay dropped");

            // fresh frames still pass, from node 1 and from node 3 (whose sequence is its own)
            final MutableDirectBuffer frame = Forger.buffer();
            final VoteRequest fresh = new VoteRequest().set(1, 2, 8, 100, 7, false, false);
            int length = Forger.encode(Messages.CLUSTER, fresh, frame);
            nodeOne.seal(frame, 0, length);
            network.send(endpoint, frame, length + FrameGuard.TRAILER_LENGTH);
            Messages.assertSameMessage(fresh, LiveCluster.receive(target));
            final VoteRequest fromThree = new VoteRequest().set(3, 2, 8, 100, 7, true, false);
            length = Forger.encode(Messages.CLUSTER, fromThree, frame);
            nodeThree.seal(frame, 0, length);
            network.send(endpoint, frame, length + FrameGuard.TRAILER_LENGTH);
            Messages.assertSameMessage(fromThree, LiveCluster.receive(target));
            assertEquals(2L * types, target.counters().totalReceiveDrops(), "only the replays were dropped");
        }
    }

    @Test
    @Timeout(90)
    void fuzzFramesAndBitFlippedSealedFramesAreAllBadMacWhileSealedMarkersArriveInOrder() {
        final MacKeys keys = MacKeys.of(KeyFile.randomKey());
        final Path key = keyFile(keys);
        final int frames = 20_000;
        try (LiveCluster cluster = new LiveCluster(new int[] {1, 2, 3}); Forger network = Forger.start()) {
            final AeronTransport target = cluster.start(2, b -> b.keyFile(key));
            target.updateMembership(Messages.MEMBERS);
            final FrameGuard nodeThree = new FrameGuard(cluster.config(3).keyFile(key).keyReloadMillis(0).build(), keys, null);
            final String endpoint = cluster.endpoints.get(2);
            final FuzzFrames fuzz = new FuzzFrames(13L);
            final MutableDirectBuffer marker = Forger.buffer();
            final Random rnd = new Random(13);
            final long[] nextMarker = {0};
            long markers = 0;
            for (int i = 0; i < frames; i++) {
                if (i % 10 == 0) {
                    final int length = Forger.encode(Messages.CLUSTER,
                        new dev.raft.api.message.TimeoutNowRequest().set(3, 2, 1000 + markers++), marker);
                    nodeThree.seal(marker, 0, length);
                    network.send(endpoint, marker, length + FrameGuard.TRAILER_LENGTH);
                } else if (i % 10 == 5) { // a sealed frame with one bit flipped anywhere, trailer included
                    final int length = Forger.encode(Messages.CLUSTER,
                        new dev.raft.api.message.TimeoutNowRequest().set(1, 2, 7), marker);
                    nodeThree.seal(marker, 0, length);
                    final int bit = rnd.nextInt((length + FrameGuard.TRAILER_LENGTH) * 8);
                    marker.putByte(bit / 8, (byte) (marker.getByte(bit / 8) ^ (1 << (bit % 8))));
                    network.send(endpoint, marker, length + FrameGuard.TRAILER_LENGTH);
                } else {
                    fuzz.next(null);
                    network.send(endpoint, fuzz.buffer(), fuzz.length());
                }
                if ((i & 63) == 0) {
                    target.poll(m -> assertEquals(1000 + nextMarker[0]++, m.term(), "marker order"), 1000);
                }
            }
            LiveCluster.await(() -> {
                target.poll(m -> assertEquals(1000 + nextMarker[0]++, m.term(), "marker order"), 1000);
                return target.counters().framesIn() == frames;
            }, "all frames at the target");
            assertEquals(markers, nextMarker[0], "every sealed marker delivered");
            assertEquals(frames - markers, target.counters().drops(ReceiveDrop.BAD_MAC), "everything else is bad-mac");
            assertEquals(frames - markers, target.counters().totalReceiveDrops());
        }
    }

    @Test
    @Timeout(60)
    void aFrameFromAnotherHostThanItsSendersIsCountedOrDropped() {
        try (LiveCluster cluster = new LiveCluster(new int[] {1, 2, 3}); Forger network = Forger.start()) {
            // node 3 is configured on another loopback address: frames claiming node 3 arrive from 127.0.0.1
            cluster.endpoints.put(3, "127.0.0.2:" + LiveCluster.freeUdpPort());
            final AeronTransport counting = cluster.start(1);
            final AeronTransport dropping = cluster.start(2, b -> b.sourceCheck(SourceCheck.DROP));
            cluster.updateMembership(Messages.MEMBERS);
            final MutableDirectBuffer frame = Forger.buffer();
            int length = Forger.encode(Messages.CLUSTER, new VoteRequest().set(3, 1, 5, 1, 1, true, false), frame);
            network.send(cluster.endpoints.get(1), frame, length);
            LiveCluster.receive(counting);
            assertEquals(1, counting.counters().sourceMismatches(), "COUNT: counted and delivered");
            length = Forger.encode(Messages.CLUSTER, new VoteRequest().set(3, 2, 5, 1, 1, true, false), frame);
            network.send(cluster.endpoints.get(2), frame, length);
            LiveCluster.await(() -> {
                dropping.poll(m -> {
                    throw new AssertionError("delivered " + m);
                }, 10);
                return dropping.counters().drops(ReceiveDrop.SOURCE_MISMATCH) == 1;
            }, "DROP: dropped");
            assertEquals(1, dropping.counters().sourceMismatches());
            length = Forger.encode(Messages.CLUSTER, new VoteRequest().set(1, 2, 5, 1, 1, true, false), frame);
            network.send(cluster.endpoints.get(2), frame, length);
            LiveCluster.receive(dropping);
            assertEquals(1, dropping.counters().sourceMismatches(), "node 1's frames come from its host");
        }
    }

    @Test
    void sourceAddressesMatchTheHostPartOnly() {
        final AeronTransportConfig config = AeronTransportConfig.builder().nodeId(1).endpoint(1, "127.0.0.1:1")
            .endpoint(2, "127.0.0.1:2").endpoint(3, "[::1]:3").endpoint(4, "localhost:4").build();
        final SourceHosts hosts = new SourceHosts(1);
        hosts.update(PeerEndpoints.of(config, Membership.of(1, 2, 3, 4)).routes());
        assertTrue(hosts.matches(2, "127.0.0.1:40001"));
        assertFalse(hosts.matches(2, "127.0.0.10:40001"));
        assertFalse(hosts.matches(2, "127.0.0.2:40001"));
        assertFalse(hosts.matches(2, "27.0.0.1:40001"));
        assertTrue(hosts.matches(3, "0:0:0:0:0:0:0:1:40001"));
        assertFalse(hosts.matches(3, "127.0.0.1:40001"));
        assertTrue(hosts.matches(4, "127.0.0.1:40001"), "a host name resolves to its addresses");
        assertTrue(hosts.matches(9, "10.1.1.1:1"), "not a member: nothing to check against (the decoder drops it)");
    }

    @Test
    void aKeyFileOthersCanReadStopsTheStartBeforeAnythingRuns() throws Exception {
        final Path key = keyFile(MacKeys.of(KeyFile.randomKey()));
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        final AeronTransportConfig config = AeronTransportConfig.builder().nodeId(1).endpoint(1, "127.0.0.1:" + LiveCluster.freeUdpPort())
            .keyFile(key).build();
        final KeyFileException e = org.junit.jupiter.api.Assertions.assertThrows(KeyFileException.class, () -> new AeronTransport(config));
        assertTrue(e.getMessage().contains(key + " has mode 0644 (rw-r--r--)"), e.getMessage());
        assertFalse(Files.exists(Path.of(config.aeronDirectory())), "no driver was started");
    }
}
