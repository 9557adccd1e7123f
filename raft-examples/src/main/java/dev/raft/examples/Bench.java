package dev.raft.examples;

import dev.raft.api.RaftMetrics;
import dev.raft.examples.kv.KvCommands;
import dev.raft.examples.kv.KvNode;
import dev.raft.storage.file.DurabilityMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The cluster benchmark: a 3-node cluster in this process on 127.0.0.1 (Aeron UDP, file storage), PUT commands
 * of a fixed size proposed to the leader at a fixed rate (open loop), each latency measured from the command's
 * intended send time to its completion on the leader (committed and applied), so a stall is charged to every
 * command that should have been sent during it (no coordinated omission).
 */
final class Bench {
    /**
     * One run's figures.
     *
     * @param fsync          whether appends were forced to disk
     * @param rate           commands per second asked for
     * @param seconds        measured seconds (after the warm-up)
     * @param valueBytes     bytes of each PUT's value
     * @param sent           commands proposed in the measured period
     * @param completed      commands completed in it
     * @param errors         commands that failed (not the leader, leadership lost, a full proposal queue)
     * @param msgsPerSecond  completed commands per second
     * @param latency        latencies in microseconds from the intended send time
     * @param errorKinds     measured errors by exception class (NotLeaderException, LeadershipLostException, RaftException for a full queue)
     */
    record Result(boolean fsync, int rate, int seconds, int valueBytes, long sent, long completed, long errors,
                  double msgsPerSecond, Histogram latency, Map<String, Long> errorKinds) {
        String json() {
            return String.format(Locale.ROOT, "{\"fsync\":%b,\"nodes\":3,\"rate\":%d,\"seconds\":%d,\"valueBytes\":%d,"
                    + "\"sent\":%d,\"completed\":%d,\"errors\":%d,\"msgsPerSec\":%.0f,\"latencyMicros\":{\"p50\":%d,"
                    + "\"p90\":%d,\"p99\":%d,\"p99.9\":%d,\"max\":%d},\"errorKinds\":{%s}}",
                fsync, rate, seconds, valueBytes, sent, completed, errors, msgsPerSecond,
                latency.getValueAtPercentile(50), latency.getValueAtPercentile(90), latency.getValueAtPercentile(99),
                latency.getValueAtPercentile(99.9), latency.getMaxValue(),
                errorKinds.entrySet().stream().map(e -> "\"" + e.getKey().replace("\"", "'") + "\":" + e.getValue())
                    .collect(java.util.stream.Collectors.joining(",")));
        }
    }

    private Bench() {
    }

    static Result run(boolean fsync, int rate, int warmupSeconds, int seconds, int valueBytes) throws Exception {
        final Path dir = Files.createTempDirectory("raftkv-bench-");
        final List<KvNode> nodes = new ArrayList<>();
        try {
            final Map<Integer, String> endpoints = Demo.freeLoopbackEndpoints(3);
            final int clusterId = ThreadLocalRandom.current().nextInt(1, 1 << 30);
            for (int id : endpoints.keySet()) {
                nodes.add(KvNode.start(KvNode.Options.of(clusterId, id, endpoints, dir.resolve("node-" + id),
                    fsync ? DurabilityMode.FSYNC : DurabilityMode.NO_FSYNC)));
            }
            final RaftMetrics leaderMetrics = Demo.awaitLeader(nodes, 0);
            // proposals follow the leader: a NOT_LEADER answer (an overloaded leader can lose its quorum) retargets them
            final java.util.concurrent.atomic.AtomicReference<KvNode> leader =
                new java.util.concurrent.atomic.AtomicReference<>(nodes.get(leaderMetrics.nodeId() - 1));
            final byte[] command = KvCommands.put("bench", new byte[valueBytes]);
            final UnsafeBuffer buffer = new UnsafeBuffer(command);

            final Recorder recorder = new Recorder(3);
            final AtomicLong completed = new AtomicLong();
            final AtomicLong errors = new AtomicLong();
            final AtomicLong measuredCompleted = new AtomicLong();
            final AtomicLong measuredErrors = new AtomicLong();
            final java.util.concurrent.ConcurrentHashMap<String, Long> errorKinds = new java.util.concurrent.ConcurrentHashMap<>();
            final long interval = TimeUnit.SECONDS.toNanos(1) / rate;
            final long start = System.nanoTime();
            final long measureFrom = start + TimeUnit.SECONDS.toNanos(warmupSeconds);
            final long end = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
            long sent = 0;
            long proposed = 0;
            boolean measuring = false;
            for (long i = 0; ; i++) {
                final long intended = start + i * interval;
                if (intended >= end) {
                    break;
                }
                long now;
                while ((now = System.nanoTime()) < intended) {
                    if (intended - now > 50_000) {
                        LockSupport.parkNanos(intended - now - 20_000);
                    } else {
                        Thread.onSpinWait();
                    }
                }
                final boolean measured = intended >= measureFrom;
                if (measured && !measuring) {
                    measuring = true;
                    recorder.reset();
                }
                if (measured) {
                    sent++;
                }
                proposed++;
                leader.get().raft().propose(buffer, 0, command.length).whenComplete((r, e) -> {
                    if (e != null) {
                        final Throwable c = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                            ? e.getCause() : e;
                        if (c instanceof dev.raft.api.error.NotLeaderException n && n.leaderHint() > 0
                            && n.leaderHint() <= nodes.size()) {
                            leader.set(nodes.get(n.leaderHint() - 1));
                        }
                        errors.incrementAndGet();
                        if (measured) {
                            measuredErrors.incrementAndGet();
                            errorKinds.merge(c.getClass().getSimpleName(), 1L, Long::sum);
                        }
                    } else {
                        completed.incrementAndGet();
                        if (measured) {
                            measuredCompleted.incrementAndGet();
                            recorder.recordValue(Math.max(0, (System.nanoTime() - intended) / 1000));
                        }
                    }
                });
            }
            // wait for the commands still in flight, so the slowest are counted too
            final long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (completed.get() + errors.get() < proposed && System.nanoTime() < drainDeadline) {
                Thread.sleep(1);
            }
            final long measuredEnd = System.nanoTime();
            final Histogram histogram = recorder.getIntervalHistogram();
            final long done = measuredCompleted.get();
            final double perSecond = done * 1e9 / (measuredEnd - measureFrom);
            return new Result(fsync, rate, seconds, valueBytes, sent, done, measuredErrors.get(), perSecond, histogram,
                new java.util.TreeMap<>(errorKinds));
        } finally {
            nodes.forEach(KvNode::close);
            Demo.deleteTree(dir);
        }
    }
}
