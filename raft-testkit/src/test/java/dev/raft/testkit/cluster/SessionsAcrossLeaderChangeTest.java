package dev.raft.testkit.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.raft.api.EntryType;
import dev.raft.api.EntryView;
import dev.raft.api.LogId;
import dev.raft.api.RaftNode;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.statemachine.SnapshotWriter;
import dev.raft.api.statemachine.StateMachine;
import dev.raft.core.session.SessionCommand;
import dev.raft.core.session.SessionResponse;
import dev.raft.core.session.SessionStateMachine;
import dev.raft.core.session.SessionStatus;
import java.io.InputStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Real nodes in one process (in-memory storage and network): a command whose leader is cut off while the command is
 * in flight (appended by the followers, its commit never known to the leader, so its client has no answer) is re-sent
 * with the same session id and sequence to the next leader, and is applied exactly once on every node; the re-send
 * is answered with the first application's result.
 */
class SessionsAcrossLeaderChangeTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** Counts the commands it executes; answers each with the count. */
    static final class Counter implements StateMachine {
        volatile long executed;
        private LogId lastApplied = LogId.NONE;

        @Override
        public byte[] apply(EntryView entry) {
            lastApplied = LogId.of(entry.term(), entry.index());
            if (entry.type() != EntryType.NORMAL) {
                return null;
            }
            executed++;
            return Long.toString(executed).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        }

        @Override
        public LogId lastApplied() {
            return lastApplied;
        }

        @Override
        public SnapshotWriter takeSnapshot() {
            throw new UnsupportedOperationException("this test takes no snapshot");
        }

        @Override
        public void restore(SnapshotMeta meta, InputStream in) {
            throw new UnsupportedOperationException("this test takes no snapshot");
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aCommandInFlightAtALeaderChangeIsReSentAndAppliedOnce() throws Exception {
        final Map<Integer, Counter> counters = new ConcurrentHashMap<>();
        try (LocalCluster cluster = new LocalCluster(3, 14)) {
            cluster.bindStateMachine = (id, kv) -> new SessionStateMachine(counters.computeIfAbsent(id, i -> new Counter()));
            cluster.startAll();
            final int leader = cluster.awaitLeader(WAIT);
            final RaftNode old = cluster.node(leader);
            final long before = old.metrics().lastLogId().index();
            final int[] followers = java.util.stream.IntStream.rangeClosed(1, 3).filter(i -> i != leader).toArray();
            // the followers' acknowledgements are lost: they append the command, the leader never learns it committed
            for (int f : followers) {
                cluster.network.drop(f, leader, 1.0);
            }
            final long stamp = System.currentTimeMillis();
            final byte[] command = SessionCommand.encode(42, 1, 1, stamp, new byte[] {'+'});
            final CompletableFuture<byte[]> first = old.propose(command);
            for (int f : followers) {
                cluster.node(f).awaitMetrics(m -> m.lastLogId().index() > before, WAIT);
            }
            cluster.network.isolate(leader);
            final int next = cluster.awaitLeader(WAIT, followers);
            assertNotEquals(leader, next);

            // the client never got an answer from the old leader: it re-sends the same id and sequence
            final byte[] answer = cluster.node(next).propose(SessionCommand.encode(42, 1, 1, System.currentTimeMillis(),
                new byte[] {'+'})).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            final SessionResponse response = SessionResponse.decode(answer);
            assertEquals(SessionStatus.REPLAYED, response.status(), "the re-send is answered from the session table");
            assertArrayEquals("1".getBytes(java.nio.charset.StandardCharsets.US_ASCII), response.response(),
                "with the result of the one application");

            cluster.network.heal();
            final long last = cluster.node(next).metrics().lastLogId().index();
            cluster.awaitApplied(last, WAIT);
            for (int id = 1; id <= 3; id++) {
                assertEquals(1, counters.get(id).executed, "node " + id + " applied the command once");
            }
            assertEquals(1, counters.get(next).executed);
            first.cancel(false); // its answer, if it ever comes, changes nothing
        }
    }
}
