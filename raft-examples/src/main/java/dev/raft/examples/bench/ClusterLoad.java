package dev.raft.examples.bench;

import dev.raft.api.RaftNode;
import io.aeron.CommonContext;
import java.io.IOException;
import java.io.PrintWriter;
import java.text.ParseException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;

/**
 * The client side of the benchmark against a running cluster: opens the channel ({@link BenchOptions.Client}),
 * runs the warm-up and the measured phase, optionally under a Flight Recorder recording of the measured phase
 * only, and returns the figures.
 */
public final class ClusterLoad {
    private ClusterLoad() {
    }

    /**
     * Drives the cluster.
     *
     * @param options       the run's settings
     * @param raftEndpoints every node's Raft endpoint by id (the client service listens on port + 1)
     * @param nodes         the nodes by id (proposed to directly with {@code --client in-process})
     * @param leaderId      the node that leads now
     * @param term          its term
     * @param driverDirs    each node's media driver directory by id, whose traffic is reported (null: none)
     * @param out           progress lines
     */
    public static BenchResult drive(BenchOptions options, Map<Integer, String> raftEndpoints, Map<Integer, RaftNode> nodes,
                                    int leaderId, long term, Map<Integer, String> driverDirs, PrintWriter out)
        throws InterruptedException {
        try (RequestChannel channel = open(options, raftEndpoints, nodes, leaderId)) {
            final LoadGenerator load = new LoadGenerator(options, channel, out, term);
            final LoadGenerator.Phase warm;
            final LoadGenerator.Phase measured;
            final java.util.List<BenchResult.ReadPhase> reads = new java.util.ArrayList<>();
            try {
                warm = load.warmUp();
                if (options.warmup() > 0) {
                    out.printf(Locale.ROOT, "warm-up: %,d messages in %.0f ms (%,.0f msgs/s)%n", warm.messages(),
                        warm.durationNanos() / 1e6, warm.msgsPerSecond());
                }
                try (Recording recording = startRecording(options)) {
                    final ThreadAllocations allocations = ThreadAllocations.start();
                    final DriverTraffic traffic = DriverTraffic.start(driverDirs);
                    measured = load.measure();
                    if (allocations != null) {
                        printAllocations("the measured phase", allocations, measured.messages(), out);
                    }
                    if (traffic != null) {
                        traffic.print("the measured phase", measured.messages(), out);
                    }
                    for (dev.raft.examples.kv.Consistency consistency : options.reads()) {
                        channel.readPolicy(consistency.policy());
                        final org.HdrHistogram.Histogram latency = LoadGenerator.newHistogram();
                        final String label = "reads " + consistency.name().toLowerCase(Locale.ROOT);
                        load.warmUp(label + " warm-up"); // the read path's code is cold: warm it up as the writes were
                        final ThreadAllocations readCosts = ThreadAllocations.start();
                        final long cpuBefore = ThreadAllocations.processCpuNanos();
                        final LoadGenerator.Phase phase = load.measure(label, latency);
                        final long cpuAfter = ThreadAllocations.processCpuNanos();
                        if (readCosts != null) {
                            printAllocations("the phase '" + label + "'", readCosts, phase.messages(), out);
                        }
                        reads.add(new BenchResult.ReadPhase(consistency, phase.msgsPerSecond(), latency,
                            cpuBefore < 0 ? Double.NaN : (cpuAfter - cpuBefore) / 1e3 / phase.messages()));
                    }
                    channel.readPolicy(null);
                    if (recording != null) {
                        recording.stop();
                        out.println("flight recording of the measured phase: " + options.jfr().toAbsolutePath());
                    }
                }
            } catch (IllegalStateException e) {
                final LoadGenerator.Counters c = load.counters();
                return new BenchResult(options, Double.NaN, load.histogram(), 0, load.sent(), c.answered, c.duplicates,
                    c.notLeader, c.failed, c.malformed, c.resent, c.backPressure, Double.NaN, -1, e.getMessage());
            }
            final LoadGenerator.Counters c = load.counters();
            final String error = load.unanswered() != 0 ? load.unanswered() + " messages unanswered" : null;
            return new BenchResult(options, measured.msgsPerSecond(), load.histogram(), measured.leaderChanges(),
                load.sent(), c.answered, c.duplicates, c.notLeader, c.failed, c.malformed, c.resent, c.backPressure,
                warm.msgsPerSecond(), measured.allocatedBytes(), error, reads);
        }
    }

    private static void printAllocations(String phase, ThreadAllocations allocations, long messages, PrintWriter out) {
        final java.util.List<ThreadAllocations.Share> shares = allocations.since();
        final long processCpu = allocations.processCpuSince();
        long total = 0;
        for (ThreadAllocations.Share s : shares) {
            total += s.bytes();
        }
        out.printf(Locale.ROOT, "allocated in %s: %,d bytes, %.1f per message; CPU: %.2f us per message"
            + " (this process, user + system; the kernel's loopback work in softirq is not counted); by thread:%n", phase, total,
            (double) total / messages, processCpu < 0 ? Double.NaN : processCpu / 1e3 / messages);
        long otherBytes = 0;
        long otherCpu = 0;
        int others = 0;
        for (int i = 0; i < shares.size(); i++) {
            final ThreadAllocations.Share s = shares.get(i);
            if (i < 12) {
                out.printf(Locale.ROOT, "  %10.1f B/msg %8.2f us CPU/msg  %s%n", (double) s.bytes() / messages,
                    s.cpuNanos() / 1e3 / messages, s.thread());
            } else {
                otherBytes += s.bytes();
                otherCpu += s.cpuNanos();
                others++;
            }
        }
        if (others > 0) {
            out.printf(Locale.ROOT, "  %10.1f B/msg %8.2f us CPU/msg  %d other threads%n", (double) otherBytes / messages,
                otherCpu / 1e3 / messages, others);
        }
    }

    private static RequestChannel open(BenchOptions options, Map<Integer, String> raftEndpoints,
                                       Map<Integer, RaftNode> nodes, int leaderId) throws InterruptedException {
        if (options.client() == BenchOptions.Client.IN_PROCESS) {
            return new InProcessRequestChannel(nodes, options.size(), leaderId);
        }
        final AeronRequestChannel channel = new AeronRequestChannel(raftEndpoints, options.size(), leaderId,
            CommonContext.generateRandomDirName());
        if (!channel.awaitConnected(TimeUnit.SECONDS.toNanos(10))) {
            channel.close();
            throw new IllegalStateException("bench client: not connected to every node's client endpoint within 10 s");
        }
        return channel;
    }

    private static Recording startRecording(BenchOptions options) {
        if (options.jfr() == null) {
            return null;
        }
        try {
            final Recording recording = new Recording(Configuration.getConfiguration("profile"));
            recording.setName("raftkv-bench");
            recording.setToDisk(true);
            recording.setDestination(options.jfr());
            recording.start();
            return recording;
        } catch (IOException | ParseException e) {
            throw new IllegalStateException("cannot record to " + options.jfr() + ": " + e.getMessage(), e);
        }
    }
}
