package dev.raft.examples.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.examples.kv.KvClient;
import dev.raft.examples.kv.KvOutcome;
import dev.raft.examples.kv.KvResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Exactly-once writes on the real stack: three {@code raftkv server} JVMs on 127.0.0.1 (Aeron UDP, file storage),
 * two {@link KvClient}s shared by four threads incrementing one counter ({@code INCR}) with no think time, while the
 * leader is killed with SIGKILL in rounds and restarted. A call whose answer is lost is re-sent by the client with
 * the same session id and sequence (UNKNOWN outcomes are retried inside the call, until its deadline); the servers'
 * session table applies it at most once. At the end the counter equals the number of acknowledged increments
 * exactly: no increment applied twice, none acknowledged and lost.
 *
 * <p>CI runs {@value #CI_ROUNDS} kill rounds (about a minute); {@code -Dsessions.rounds=50} runs more.
 */
class SessionCounterSoakTest {
    private static final int CI_ROUNDS = 3;
    private static final int ROUNDS = Integer.getInteger("sessions.rounds", CI_ROUNDS);
    private static final int THREADS = 4;
    private static final Duration CALL_DEADLINE = Duration.ofSeconds(30);
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String COUNTER = "counter";

    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    void theCounterEqualsTheAcknowledgedIncrementsAcrossLeaderKills() throws Exception {
        final AtomicLong acknowledged = new AtomicLong();
        final AtomicLong replayed = new AtomicLong();
        final AtomicLong unknown = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
        final AtomicBoolean stop = new AtomicBoolean();
        final long start = System.nanoTime();
        try (SoakCluster cluster = new SoakCluster(3, List.of())) {
            for (int id : cluster.ids()) {
                cluster.start(id);
            }
            assertTrue(ClusterWaits.leader(cluster, WAIT).isPresent(), "no leader:" + cluster.describe());
            final KvClient[] clients = new KvClient[2];
            for (int c = 0; c < clients.length; c++) {
                clients[c] = KvClient.builder(cluster.endpoints()).replyHost("127.0.0.1").build();
                cluster.closeFirst(clients[c]);
            }
            final List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                final KvClient client = clients[t % clients.length];
                final Thread thread = new Thread(() -> {
                    while (!stop.get()) {
                        final KvOutcome outcome = client.increment(COUNTER, 1, CALL_DEADLINE);
                        if (outcome instanceof KvOutcome.Ok ok && ok.result().status() == KvResult.Status.OK) {
                            acknowledged.incrementAndGet();
                            if (ok.replayed()) {
                                replayed.incrementAndGet();
                            }
                        } else if (outcome instanceof KvOutcome.Unknown) {
                            unknown.incrementAndGet();
                            problems.add(outcome.describe());
                        } else {
                            failed.incrementAndGet(); // definitely not applied: counted neither way
                            problems.add(outcome.describe());
                        }
                    }
                }, "incr-" + t);
                thread.start();
                threads.add(thread);
            }
            int rounds = 0;
            try {
                for (int r = 0; r < ROUNDS; r++) {
                    final long before = acknowledged.get();
                    awaitProgress(acknowledged, before + 20, WAIT);
                    final Optional<SoakClient.NodeStatus> leader = ClusterWaits.leader(cluster, WAIT);
                    assertTrue(leader.isPresent(), "no leader before round " + (r + 1) + ":" + cluster.describe());
                    final int victim = leader.get().nodeId();
                    cluster.kill(victim);
                    assertTrue(ClusterWaits.newLeader(cluster, leader.get().term(), victim, WAIT) > 0,
                        "no new leader after killing node " + victim + ":" + cluster.describe());
                    cluster.start(victim);
                    assertTrue(ClusterWaits.healthy(cluster, WAIT).isEmpty(), "round " + (r + 1) + " did not heal:"
                        + cluster.describe());
                    rounds++;
                }
                awaitProgress(acknowledged, acknowledged.get() + 20, WAIT);
            } finally {
                stop.set(true);
                for (Thread t : threads) {
                    t.join(CALL_DEADLINE.toMillis() * 2);
                }
            }
            final Optional<String> converged = ClusterWaits.converged(cluster, WAIT);
            assertTrue(converged.isEmpty(), converged.orElse(""));
            final KvOutcome read = clients[0].get(COUNTER, WAIT);
            assertTrue(read instanceof KvOutcome.Ok, read.describe());
            final long counter = Long.parseLong(((KvOutcome.Ok) read).result().valueText());
            final long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
            System.out.println("session counter soak: " + rounds + " leader kills (SIGKILL) in " + seconds + " s, "
                + THREADS + " threads on " + clients.length + " clients: acknowledged increments " + acknowledged.get()
                + " (answered from the session table: " + replayed.get() + "), unknown " + unknown.get() + ", failed "
                + failed.get() + "; final counter " + counter + ", duplicates " + (counter - acknowledged.get())
                + (problems.isEmpty() ? "" : "; not acknowledged: " + problems));
            assertEquals(0, unknown.get(), "every call ended known within " + CALL_DEADLINE.toSeconds() + " s: " + problems);
            assertEquals(acknowledged.get(), counter, "the counter equals the acknowledged increments: no increment applied"
                + " twice or lost (" + failed.get() + " failed, " + problems + ")");
        }
    }

    private static void awaitProgress(AtomicLong acknowledged, long target, Duration timeout) throws InterruptedException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (acknowledged.get() < target) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the clients made no progress: " + acknowledged.get() + " increments acknowledged,"
                    + " expected " + target + " within " + timeout.toSeconds() + " s");
            }
            Thread.sleep(20);
        }
    }
}
