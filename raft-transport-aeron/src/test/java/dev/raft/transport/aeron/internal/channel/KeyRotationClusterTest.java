package dev.raft.transport.aeron.internal.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.raft.api.message.MessageType;
import dev.raft.api.Membership;
import dev.raft.transport.aeron.auth.FrameAuthenticator;
import dev.raft.transport.aeron.auth.KeyFile;
import dev.raft.transport.aeron.auth.MacKeys;
import dev.raft.transport.aeron.internal.counters.ReceiveDrop;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.agrona.MutableDirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The documented rotation procedure, run on a live 3-node cluster under write load by rewriting each node's key
 * file (the nodes reload it): (old, new) everywhere, then (new, old) everywhere, then (new) everywhere. No frame
 * is ever refused, every write succeeds, and afterwards a frame signed with the old key is refused.
 */
class KeyRotationClusterTest {
    private static final int[] IDS = {1, 2, 3};

    @TempDir
    Path dir;

    private Path keyFile(int id) {
        return dir.resolve("node-" + id + ".key");
    }

    /** Writes {@code keys} to every node's key file and waits until every node loaded them ({@code reloads} in all). */
    private void rotate(CoreCluster c, MacKeys keys, int reloads) {
        for (int id : IDS) {
            KeyFile.write(keyFile(id), keys);
        }
        for (int id : IDS) {
            final AeronTransport t = c.transports.get(id);
            LiveCluster.await(() -> t.counters().keyReloads() >= reloads, "node " + id + " loaded key file version " + reloads);
        }
    }

    @Test
    @Timeout(150)
    void rotatingTheKeyUnderWriteLoadRefusesNoFrameAndFailsNoWrite() throws Exception {
        final byte[] oldKey = KeyFile.randomKey();
        final byte[] newKey = KeyFile.randomKey();
        for (int id : IDS) {
            KeyFile.write(keyFile(id), MacKeys.of(oldKey));
        }
        try (CoreCluster c = new CoreCluster(71, IDS); Forger forger = Forger.start()) {
            c.transportTweak = (id, b) -> b.keyFile(keyFile(id)).keyReloadMillis(50);
            c.startAll();
            final int leader = c.awaitLeader();
            c.proposeAll("before-", 200);
            final AtomicBoolean stop = new AtomicBoolean();
            final CompletableFuture<Long> load = c.writeLoad(stop);
            c.proposeAll("warm-", 200);
            rotate(c, MacKeys.of(oldKey, newKey), 1); // 1. accept the new key everywhere, still sign with the old
            c.proposeAll("step1-", 200);
            rotate(c, MacKeys.of(newKey, oldKey), 2); // 2. sign with the new key, still accept the old
            c.proposeAll("step2-", 200);
            rotate(c, MacKeys.of(newKey), 3);         // 3. drop the old key
            c.proposeAll("step3-", 200);
            stop.set(true);
            final long rounds = load.get();
            final long committed = c.proposeAll("after-", 200);
            c.assertConverged(committed);
            for (int id : IDS) {
                final AeronTransport t = c.transports.get(id);
                assertEquals(0, t.counters().totalReceiveDrops(), "no frame refused at node " + id + " during the rotation");
                assertEquals(0, t.counters().keyReloadFailures());
            }

            // the old key is no longer accepted: a frame correctly signed with it (as a member, fresh sequence) is refused
            final int target = leader == 1 ? 2 : 1;
            final MutableDirectBuffer frame = Forger.buffer();
            final int length = Forger.encode(71, Forger.damaging(MessageType.VOTE_REQUEST, 3, target,
                c.nodes.get(target).metrics().term() + 1, "x", Membership.of(IDS)), frame);
            frame.putLong(length, Long.MAX_VALUE - 1, ByteOrder.LITTLE_ENDIAN);
            final int signed = new FrameAuthenticator(MacKeys.of(oldKey)).sign(frame, 0, length + Long.BYTES);
            forger.send(c.endpoints.get(target), frame, signed);
            final AeronTransport t = c.transports.get(target);
            LiveCluster.await(() -> t.counters().drops(ReceiveDrop.BAD_MAC) == 1, "the old key refused at node " + target);
            System.out.printf("KeyRotationClusterTest: 3-step rotation during %d rounds of 200 writes, 0 frames refused,"
                + " 0 writes failed; leader %d%n", rounds, c.awaitLeader());
        }
    }
}
