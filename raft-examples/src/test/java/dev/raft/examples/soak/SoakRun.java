package dev.raft.examples.soak;

import dev.raft.testkit.linearizability.History;
import dev.raft.testkit.linearizability.HistoryRecorder;
import dev.raft.testkit.linearizability.KvInput;
import dev.raft.testkit.linearizability.KvModel;
import dev.raft.testkit.linearizability.KvOutput;
import dev.raft.testkit.linearizability.LinearizabilityChecker;
import dev.raft.testkit.linearizability.Operation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One soak run: starts the cluster, drives it with a {@link Workload} while {@link FaultRounds} inject the
 * scheduled faults, heals everything, reads every key back, and judges: linearizable history, no acknowledged
 * write lost, client outage within twice the election timeout, no zombie, every round healed, converged.
 * The report goes to stdout and to {@code target/soak/<label>/report.txt}, with the server logs beside it.
 */
final class SoakRun {
    private static final int FINAL_READER = 0;
    private static final long TMPFS_BASE_BYTES = 96L << 20;
    private static final long TMPFS_BYTES_PER_ROUND = 48L << 20;

    private SoakRun() {
    }

    static SoakReport run(SoakConfig config) throws Exception {
        final SoakReport report = new SoakReport(config);
        final long start = System.nanoTime();
        final Path out = Path.of(System.getProperty("soak.reportDir", "target/soak"), config.label());
        try (SoakCluster cluster = new SoakCluster(config.nodes(), config.serverArgs())) {
            try {
                soak(config, cluster, report);
            } catch (Exception | AssertionError e) {
                report.failures.add("the soak itself failed: " + e);
                throw e;
            } finally {
                report.seconds = (System.nanoTime() - start) / 1_000_000_000L;
                cluster.copyLogsTo(out);
                Files.writeString(out.resolve("report.txt"), report.render());
                System.out.print(report.render());
            }
        }
        return report;
    }

    private static void soak(SoakConfig config, SoakCluster cluster, SoakReport report) throws Exception {
        String skip = "";
        final int diskRounds = config.rounds().getOrDefault(Fault.DISK_FULL, 0);
        if (diskRounds > 0) {
            try {
                cluster.mountTmpfs(config.nodes(), TMPFS_BASE_BYTES + diskRounds * TMPFS_BYTES_PER_ROUND);
            } catch (TmpfsMount.CannotMountException e) {
                skip = e.getMessage();
                report.notes.add("disk-full rounds skipped: " + skip);
            }
        }
        for (int id : cluster.ids()) {
            cluster.start(id);
        }
        final Optional<String> sick = ClusterWaits.healthy(cluster, FaultRounds.HEAL_TIMEOUT);
        if (sick.isPresent()) {
            report.failures.add("the cluster did not start: " + sick.get());
            return;
        }
        final Workload workload = new Workload(cluster.endpoints(), config.clientThreads(), config.seed(),
            config.opTimeout());
        cluster.closeFirst(workload);
        workload.start();
        final FaultRounds rounds = new FaultRounds(cluster, config, skip);
        int index = 0;
        for (Fault fault : config.schedule()) {
            workload.keyMode(index % 2 == 0 ? Workload.KeyMode.HOT : Workload.KeyMode.COLD);
            final RoundResult r = rounds.run(++index, fault);
            r.notes.add(0, workload.keyMode() + " keys");
            report.rounds.add(r);
            System.out.println(r + "  [" + workload.operations() + " operations so far]");
            if (!r.failures.isEmpty() && !heal(cluster, rounds, report, "after round " + index)) {
                report.failures.add("soak aborted after round " + index + ": the cluster could not be healed");
                break;
            }
        }
        workload.stop();
        heal(cluster, rounds, report, "at the end");
        ClusterWaits.converged(cluster, FaultRounds.HEAL_TIMEOUT).ifPresent(p -> report.failures.add("at the end: " + p));
        report.verdicts.put("converged: every node serving, same log, commit and applied index",
            report.failures.stream().noneMatch(f -> f.startsWith("at the end")));
        final Map<String, String> finalValues = readBack(cluster, workload, config);
        judge(config, report, workload, finalValues);
    }

    /** Heals every partition, frees the disk, restarts every stopped node; false if the cluster stays sick. */
    private static boolean heal(SoakCluster cluster, FaultRounds rounds, SoakReport report, String when) throws Exception {
        rounds.healAll();
        if (cluster.tmpfs() != null) {
            cluster.tmpfs().free();
        }
        for (int id : cluster.ids()) {
            if (!cluster.isAlive(id)) {
                cluster.start(id);
            }
        }
        final Optional<String> sick = ClusterWaits.healthy(cluster, FaultRounds.HEAL_TIMEOUT);
        sick.ifPresent(p -> report.failures.add(when + ": " + p));
        return sick.isEmpty();
    }

    /** Reads every key through the log, recording the reads in the history; returns the values read OK. */
    private static Map<String, String> readBack(SoakCluster cluster, Workload workload, SoakConfig config)
        throws InterruptedException {
        final Map<String, String> values = new HashMap<>();
        for (String key : workload.keys()) {
            final KvInput input = KvInput.get(key);
            final HistoryRecorder.Call<KvInput, KvOutput> call = workload.invoke(FINAL_READER, input);
            final SoakClient.Result result = cluster.execute(input, config.opTimeout());
            switch (result.outcome()) {
                case OK -> {
                    call.ok(result.output());
                    values.put(key, result.output().value());
                }
                case FAILED -> call.fail();
                case UNKNOWN -> {
                }
                default -> throw new IllegalStateException("unknown outcome " + result.outcome());
            }
        }
        return values;
    }

    private static void judge(SoakConfig config, SoakReport report, Workload workload, Map<String, String> finalValues) {
        final History<KvInput, KvOutput> history = workload.history();
        report.outcomes = workload.outcomes();
        report.unknownSamples = List.copyOf(workload.unknownSamples());
        report.keysChecked = finalValues.size();
        if (finalValues.size() < workload.keys().size()) {
            report.failures.add((workload.keys().size() - finalValues.size()) + " of " + workload.keys().size()
                + " keys could not be read back at the end");
        }
        report.lostWrites = lostWrites(history, finalValues, report);
        for (RoundResult r : report.rounds) {
            if (r.leaderLostAtNanos < 0) {
                continue;
            }
            if (r.failoverNanos >= 0) {
                report.failoverMillis.add(r.failoverNanos / 1_000_000);
            }
            final long t0 = r.leaderLostAtNanos;
            final long firstOk = history.operations().stream()
                .filter(op -> op.clientId() != FINAL_READER && !op.isPending() && op.callTime() >= t0)
                .mapToLong(Operation::returnTime).min().orElse(-1);
            if (firstOk < 0) {
                report.failures.add("round " + r.index + ": no operation invoked after its fault completed OK");
            } else {
                r.outageMillis = (firstOk - t0) / 1_000_000;
                report.outageMillis.add(r.outageMillis);
            }
        }
        report.linearizability = LinearizabilityChecker.forModel(new KvModel())
            .withTimeout(Duration.ofSeconds(Long.getLong("soak.checkerSeconds", 120))).check(history);
        report.verdicts.put("history linearizable (" + history.size() + " operations on " + workload.keys().size()
            + " keys; an undecided check fails)", report.linearizability.isLinearizable());
        report.verdicts.put("no acknowledged write lost", report.lostWrites == 0);
        final long limit = 2 * config.maxElectionTimeoutMs();
        final long p99 = SoakReport.percentile(report.outageMillis, 99);
        report.verdicts.put("client-perceived outage p99 " + p99 + " ms <= 2 x max election timeout = " + limit + " ms",
            p99 <= limit);
        final List<String> zombies = report.rounds.stream().flatMap(r -> r.failures.stream())
            .filter(f -> f.contains("ZOMBIE") || f.contains("without one line")).toList();
        report.verdicts.put("no zombie: a node whose disk filled exited non-zero with one line naming it", zombies.isEmpty());
        report.verdicts.put("every round healed (new leader, followers caught up, wiped followers caught up)",
            report.rounds.stream().allMatch(r -> r.failures.stream().allMatch(zombies::contains)));
    }

    /**
     * For every key whose last acknowledged write (PUT, or CAS that swapped) has no other write that could take
     * effect after it (none returned after it was invoked, none still unknown), the value read back at the end
     * must be that write's value.
     */
    static int lostWrites(History<KvInput, KvOutput> history, Map<String, String> finalValues, SoakReport report) {
        final Map<String, List<Operation<KvInput, KvOutput>>> writes = history.operations().stream()
            .filter(op -> op.clientId() != FINAL_READER && op.input().kind() != KvInput.Kind.GET)
            .filter(op -> op.isPending() || op.output().swapped())
            .collect(Collectors.groupingBy(op -> op.input().key()));
        int lost = 0;
        for (Map.Entry<String, List<Operation<KvInput, KvOutput>>> e : writes.entrySet()) {
            if (!finalValues.containsKey(e.getKey())) {
                continue;
            }
            final Optional<Operation<KvInput, KvOutput>> last = e.getValue().stream().filter(op -> !op.isPending())
                .max((a, b) -> Long.compare(a.callTime(), b.callTime()));
            if (last.isEmpty()) {
                continue;
            }
            final Operation<KvInput, KvOutput> w = last.get();
            final boolean alone = e.getValue().stream().noneMatch(op -> op != w && op.returnTime() > w.callTime());
            final String read = finalValues.get(e.getKey());
            if (alone && !Objects.equals(read, w.input().value())) {
                lost++;
                if (lost <= 5) {
                    report.failures.add("acknowledged write lost: " + w.input() + " (client " + w.clientId()
                        + ") was the last write of its key, but the key holds " + read + " at the end");
                }
            }
        }
        return lost;
    }
}
