package dev.raft.examples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayDeque;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The load generator against a scripted channel: window, refusals and resends, duplicates, leader changes. */
class LoadGeneratorTest {
    /** Answers each message at the next poll; the script decides how. */
    private static class ScriptedChannel implements RequestChannel {
        final ArrayDeque<long[]> pending = new ArrayDeque<>();
        int target = 1;
        long term = 5;
        long maxOutstanding;
        long sends;
        int retargets;

        @Override
        public boolean send(long seq, long stampNanos) {
            sends++;
            pending.add(new long[] {seq, stampNanos, target});
            maxOutstanding = Math.max(maxOutstanding, pending.size());
            return true;
        }

        /**
         * How {@code seq}, sent to {@code node}, is answered: 0 echo, 1 NOT_LEADER naming node 2, 2 echo twice, 3 failed,
         * 4 NOT_LEADER naming no leader, 5 rejected.
         */
        int script(long seq, long node) {
            return 0;
        }

        @Override
        public int poll(AnswerListener listener) {
            int n = 0;
            long[] a;
            while ((a = pending.poll()) != null) {
                n++;
                switch (script(a[0], a[2])) {
                    case 1 -> listener.onRefused(a[0], true, 2, term);
                    case 3 -> listener.onRefused(a[0], false, 0, term);
                    case 4 -> listener.onRefused(a[0], true, 0, term);
                    case 5 -> listener.onRejected(a[0], "command of 64 bytes exceeds 32");
                    case 2 -> {
                        listener.onEcho(a[0], a[1], term);
                        listener.onEcho(a[0], a[1], term);
                    }
                    default -> listener.onEcho(a[0], a[1], term);
                }
            }
            return n;
        }

        @Override
        public void retarget(int nodeId) {
            retargets++;
            target = nodeId == 0 ? target % 3 + 1 : nodeId;
        }

        @Override
        public int target() {
            return target;
        }

        @Override
        public void close() {
        }
    }

    private static BenchOptions throughput(long messages, long warmup, int window) {
        return new BenchOptions(BenchOptions.Client.AERON, BenchOptions.Mode.THROUGHPUT, messages, warmup, window, 10_000,
            64, false, 60, null);
    }

    private static LoadGenerator run(BenchOptions options, ScriptedChannel channel) {
        final LoadGenerator load = new LoadGenerator(options, channel, new PrintWriter(new StringWriter()), channel.term);
        load.warmUp();
        load.measure();
        return load;
    }

    @Test
    @Timeout(30)
    void neverMoreThanTheWindowOutstandingAndEveryMessageCountedOnce() {
        final ScriptedChannel channel = new ScriptedChannel();
        final LoadGenerator load = run(throughput(10_000, 1_000, 64), channel);
        assertEquals(64, channel.maxOutstanding);
        assertEquals(11_000, load.sent());
        assertEquals(11_000, load.counters().answered);
        assertEquals(0, load.unanswered());
        assertEquals(10_000, load.histogram().getTotalCount(), "only the measured phase is recorded");
    }

    @Test
    @Timeout(30)
    void aNotLeaderRefusalIsSentAgainToTheLeaderItNames() {
        final ScriptedChannel channel = new ScriptedChannel() {
            @Override
            int script(long seq, long node) {
                return node == 1 && seq == 500 ? 1 : 0; // node 1 stops leading at message 500
            }
        };
        final LoadGenerator load = run(throughput(1_000, 0, 100), channel);
        assertEquals(2, channel.target());
        assertEquals(1, load.counters().notLeader);
        assertEquals(1, load.counters().resent);
        assertEquals(1_000, load.counters().answered);
        assertEquals(1_001, channel.sends);
    }

    @Test
    @Timeout(30)
    void aSecondEchoIsADuplicateNotAnAnswer() {
        final ScriptedChannel channel = new ScriptedChannel() {
            @Override
            int script(long seq, long node) {
                return seq % 10 == 0 ? 2 : 0;
            }
        };
        final LoadGenerator load = run(throughput(1_000, 0, 50), channel);
        assertEquals(1_000, load.counters().answered);
        assertEquals(100, load.counters().duplicates);
        assertEquals(1_000, load.histogram().getTotalCount());
    }

    @Test
    @Timeout(30)
    void aTermRiseInTheMeasuredPhaseIsALeaderChangeAndNotInTheWarmUp() {
        final ScriptedChannel channel = new ScriptedChannel() {
            @Override
            int script(long seq, long node) {
                if (seq == 100 || seq == 1_500) {
                    term++; // a new term in the warm-up, and another in the measured phase
                }
                return 0;
            }
        };
        final LoadGenerator load = new LoadGenerator(throughput(1_000, 1_000, 10), channel,
            new PrintWriter(new StringWriter()), channel.term);
        assertEquals(0, load.warmUp().leaderChanges());
        assertEquals(1, load.measure().leaderChanges());
    }

    @Test
    @Timeout(30)
    void latencyModeSendsOnScheduleAndRecordsFromTheScheduledTime() {
        final ScriptedChannel channel = new ScriptedChannel();
        final BenchOptions options = new BenchOptions(BenchOptions.Client.AERON, BenchOptions.Mode.LATENCY, 500, 0, 1,
            5_000, 16, false, 60, null);
        final long start = System.nanoTime();
        final LoadGenerator load = run(options, channel);
        final long elapsed = System.nanoTime() - start;
        assertTrue(elapsed >= 99_000_000L, "500 messages at 5,000/s take at least 0.1 s, took " + elapsed + " ns");
        assertEquals(500, load.counters().answered);
        assertTrue(channel.maxOutstanding > 0);
    }

    @Test
    @Timeout(30)
    void aClusterThatRefusesEveryMessageFailsTheRunInsteadOfRetryingForever() {
        final ScriptedChannel channel = new ScriptedChannel() {
            @Override
            int script(long seq, long node) {
                return 3;
            }
        };
        final LoadGenerator load = new LoadGenerator(throughput(100, 0, 10), channel, new PrintWriter(new StringWriter()),
            channel.term, 300_000_000L);
        final IllegalStateException e = assertThrows(IllegalStateException.class, load::measure);
        assertTrue(e.getMessage().startsWith("no message answered for 300 ms"), e.getMessage());
        assertTrue(load.counters().failed > 10, "failed " + load.counters().failed);
    }

    @Test
    @Timeout(30)
    void aBurstOfRefusalsNamingNoLeaderMovesToTheNextNodeOnce() {
        final ScriptedChannel channel = new ScriptedChannel() {
            @Override
            int script(long seq, long node) {
                return node == 1 ? 4 : 0; // node 1 lost its leadership and knows no leader yet
            }
        };
        final LoadGenerator load = run(throughput(1_000, 0, 300), channel);
        assertEquals(1, channel.retargets, "one retarget for the whole burst of 300 refusals");
        assertEquals(2, channel.target());
        assertEquals(300, load.counters().notLeader);
        assertEquals(1_000, load.counters().answered);
    }

    /** Echoes every message at the next poll, keeping them in preallocated arrays: allocates nothing per message. */
    private static final class EchoChannel implements RequestChannel {
        private final long[] seqs = new long[1 << 16];
        private final long[] stamps = new long[1 << 16];
        private int pending;

        @Override
        public boolean send(long seq, long stampNanos) {
            if (pending == seqs.length) {
                return false;
            }
            seqs[pending] = seq;
            stamps[pending++] = stampNanos;
            return true;
        }

        @Override
        public int poll(AnswerListener listener) {
            final int n = pending;
            for (int i = 0; i < n; i++) {
                listener.onEcho(seqs[i], stamps[i], 5);
            }
            pending = 0;
            return n;
        }

        @Override
        public void retarget(int nodeId) {
        }

        @Override
        public int target() {
            return 1;
        }

        @Override
        public void close() {
        }
    }

    @Test
    @Timeout(60)
    void theLoadThreadAllocatesNothingPerMessageOnceWarm() {
        final LoadGenerator load = new LoadGenerator(throughput(300_000, 100_000, 100), new EchoChannel(),
            new PrintWriter(new StringWriter()), 5);
        load.warmUp();
        final LoadGenerator.Phase measured = load.measure();
        assertEquals(300_000, measured.messages());
        if (measured.allocatedBytes() >= 0) {
            // 300,000 messages: one 16-byte object per message would be 4.8 MB; a progress line a second is a few KB
            assertTrue(measured.allocatedBytes() < 64 * 1024, "allocated " + measured.allocatedBytes() + " bytes");
        }
    }

    @Test
    @Timeout(30)
    void aRejectedMessageFailsTheRunAtOnceNamingTheReason() {
        final ScriptedChannel channel = new ScriptedChannel() {
            @Override
            int script(long seq, long node) {
                return seq == 7 ? 5 : 0;
            }
        };
        final LoadGenerator load = new LoadGenerator(throughput(100, 0, 10), channel, new PrintWriter(new StringWriter()),
            channel.term);
        final IllegalStateException e = assertThrows(IllegalStateException.class, load::measure);
        assertEquals("the cluster rejected message 7: command of 64 bytes exceeds 32", e.getMessage());
    }
}
