package dev.raft.transport.aeron.internal.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.Membership;
import dev.raft.api.RaftLimits;
import dev.raft.api.RaftMetrics;
import dev.raft.api.message.MessageType;
import dev.raft.testkit.statemachine.KvStateMachine;
import dev.raft.transport.aeron.auth.FrameAuthenticator;
import dev.raft.transport.aeron.auth.KeyFile;
import dev.raft.transport.aeron.auth.MacKeys;
import dev.raft.transport.aeron.internal.counters.ReceiveDrop;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.agrona.MutableDirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An attacker on the network forges every RPC type with a member's id and the right cluster id at a live
 * 3-node cluster (core runtime over Aeron UDP) under write load. Without a key, terms at or above the ceiling
 * are dropped as malformed. With a key, frames with no tag, a random tag, or a tag made with another key are
 * all dropped as {@code bad-mac} — whatever term they claim: leader and term never change and no forged
 * write is applied.
 */
class ForgedFramesClusterTest {
    private static final int[] IDS = {1, 2, 3};
    private static final MessageType[] TYPES = MessageType.values();

    @TempDir
    Path dir;

    private static long[] terms(CoreCluster c) {
        final long[] terms = new long[IDS.length];
        for (int i = 0; i < IDS.length; i++) {
            terms[i] = c.nodes.get(IDS[i]).metrics().term();
        }
        return terms;
    }

    @Test
    @Timeout(120)
    void withoutAKeyTermsAtOrAboveTheCeilingAreDroppedAsMalformedAndChangeNothing() throws Exception {
        try (CoreCluster c = new CoreCluster(51, IDS); Forger forger = Forger.start()) {
            c.raftTweak = (id, b) -> CoreCluster.patient(b);
            c.startAll();
            final int leader = c.awaitLeader();
            c.proposeAll("before-", 100);
            c.awaitAllFollow(leader);
            final long[] termsBefore = terms(c);
            final MutableDirectBuffer frame = Forger.buffer();
            final Map<Integer, Long> sent = new TreeMap<>();
            for (int target : IDS) {
                for (int sender : IDS) {
                    if (sender == target) {
                        continue;
                    }
                    for (long term : new long[] {Long.MAX_VALUE, RaftLimits.MAX_TERM, Long.MAX_VALUE - 1}) {
                        for (MessageType type : TYPES) {
                            final int length = Forger.encode(51, Forger.damaging(type, sender, target, term, "forged",
                                Membership.of(IDS)), frame);
                            forger.send(c.endpoints.get(target), frame, length);
                            sent.merge(target, 1L, Long::sum);
                        }
                    }
                }
            }
            for (int id : IDS) {
                final AeronTransport t = c.transports.get(id);
                final long expected = sent.get(id);
                LiveCluster.await(() -> t.counters().drops(ReceiveDrop.BAD_FIELD) >= expected,
                    expected + " malformed frames counted at node " + id);
                assertEquals(expected, t.counters().drops(ReceiveDrop.BAD_FIELD), "node " + id);
            }
            final long committed = c.proposeAll("after-", 100);
            c.assertConverged(committed);
            assertEquals(leader, c.awaitLeader(), "the leader did not change: " + c.describe());
            assertTrue(java.util.Arrays.equals(termsBefore, terms(c)), "no term changed: " + c.describe());
            for (KvStateMachine sm : c.stateMachines.values()) {
                assertNull(sm.value("forged"), "no forged write applied");
            }
        }
    }

    @Test
    @Timeout(180)
    void withAKeyEveryForgedFrameIsDroppedAsBadMacUnderWriteLoad() throws Exception {
        final Path keyFile = dir.resolve("cluster.key");
        KeyFile.write(keyFile, MacKeys.of(KeyFile.randomKey()));
        final FrameAuthenticator otherKey = new FrameAuthenticator(MacKeys.of(KeyFile.randomKey()));
        final Random rnd = new Random(5);
        try (CoreCluster c = new CoreCluster(52, IDS); Forger forger = Forger.start()) {
            c.transportTweak = (id, b) -> b.keyFile(keyFile);
            c.raftTweak = (id, b) -> CoreCluster.patient(b);
            c.startAll();
            final int leader = c.awaitLeader();
            c.proposeAll("before-", 100);
            c.awaitAllFollow(leader);
            final long[] termsBefore = terms(c);
            final AtomicBoolean stop = new AtomicBoolean();
            final CompletableFuture<Long> load = c.writeLoad(stop);

            final MutableDirectBuffer frame = Forger.buffer();
            final Map<Integer, Long> sent = new TreeMap<>();
            final List<String> forgedKeys = new ArrayList<>();
            int n = 0;
            for (int repeat = 0; repeat < 10; repeat++) {
                for (int target : IDS) {
                    for (int sender : IDS) {
                        if (sender == target) {
                            continue;
                        }
                        final long current = c.nodes.get(target).metrics().term();
                        for (long term : new long[] {current, current + 1, current + 1000, RaftLimits.MAX_TERM - 1, Long.MAX_VALUE}) {
                            for (MessageType type : TYPES) {
                                final String forgedKey = "forged-" + n++;
                                forgedKeys.add(forgedKey);
                                final int length = Forger.encode(52, Forger.damaging(type, sender, target, term, forgedKey,
                                    Membership.of(IDS)), frame);
                                for (int variant = 0; variant < 3; variant++) {
                                    final int tagged = switch (variant) {
                                        case 0 -> length; // no trailer at all
                                        case 1 -> { // a random sequence and tag
                                            for (int i = 0; i < FrameGuard.TRAILER_LENGTH; i++) {
                                                frame.putByte(length + i, (byte) rnd.nextInt());
                                            }
                                            yield length + FrameGuard.TRAILER_LENGTH;
                                        }
                                        default -> { // a well-formed trailer signed with another key
                                            frame.putLong(length, Long.MAX_VALUE - repeat, java.nio.ByteOrder.LITTLE_ENDIAN);
                                            yield otherKey.sign(frame, 0, length + Long.BYTES);
                                        }
                                    };
                                    forger.send(c.endpoints.get(target), frame, tagged);
                                    sent.merge(target, 1L, Long::sum);
                                }
                            }
                        }
                    }
                }
            }
            for (int id : IDS) {
                final AeronTransport t = c.transports.get(id);
                final long expected = sent.get(id);
                LiveCluster.await(() -> t.counters().drops(ReceiveDrop.BAD_MAC) >= expected,
                    expected + " bad-mac frames counted at node " + id);
            }
            stop.set(true);
            final long rounds = load.get();
            final long committed = c.proposeAll("after-", 100);
            c.assertConverged(committed);
            long total = 0;
            for (int id : IDS) {
                final AeronTransport t = c.transports.get(id);
                assertEquals(sent.get(id), t.counters().drops(ReceiveDrop.BAD_MAC), "every forged frame at node " + id);
                assertEquals(sent.get(id), t.counters().totalReceiveDrops(), "no other drop at node " + id);
                total += sent.get(id);
            }
            final RaftMetrics leaderMetrics = c.nodes.get(leader).metrics();
            assertEquals(leader, c.awaitLeader(), "the leader did not change: " + c.describe());
            assertTrue(java.util.Arrays.equals(termsBefore, terms(c)), "no term changed: " + c.describe());
            for (KvStateMachine sm : c.stateMachines.values()) {
                for (String forgedKey : forgedKeys) {
                    assertNull(sm.value(forgedKey), "forged write " + forgedKey + " applied");
                }
                assertEquals(sm.size(), c.stateMachines.get(leader).size());
            }
            System.out.printf("ForgedFramesClusterTest: %d forged frames (every RPC type, no/random/foreign-key tags,"
                + " terms up to 2^63-1) dropped as bad-mac during %d rounds of 200 writes; leader %d, term %d unchanged%n",
                total, rounds, leader, leaderMetrics.term());
        }
    }
}
