package dev.raft.examples.soak;

import dev.raft.testkit.linearizability.CheckResult;
import dev.raft.testkit.linearizability.History;
import dev.raft.testkit.linearizability.KvModel;
import dev.raft.testkit.linearizability.KvInput;
import dev.raft.testkit.linearizability.KvOutput;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The figures and verdicts of one soak run, and their printout. */
final class SoakReport {
    private static final int MAX_PARTITION_LINES = 61;
    final SoakConfig config;
    final Instant started = Instant.now();
    final List<RoundResult> rounds = new ArrayList<>();
    final List<String> failures = new ArrayList<>();
    final List<String> notes = new ArrayList<>();
    final Map<String, Boolean> verdicts = new LinkedHashMap<>();
    Map<SoakClient.Outcome, Long> outcomes = Map.of();
    List<String> unknownSamples = List.of();
    CheckResult<KvInput, KvOutput> linearizability;
    int keysChecked;
    int lostWrites;
    List<Long> failoverMillis = new ArrayList<>();
    List<Long> outageMillis = new ArrayList<>();
    long seconds;

    SoakReport(SoakConfig config) {
        this.config = config;
    }

    /** Whether every verdict passed and nothing failed along the way. */
    boolean passed() {
        return failures.isEmpty() && rounds.stream().allMatch(r -> r.failures.isEmpty())
            && !verdicts.isEmpty() && verdicts.values().stream().allMatch(v -> v);
    }

    /** Nearest-rank percentile of {@code values} (sorted here), or -1 when empty. */
    static long percentile(List<Long> values, double p) {
        if (values.isEmpty()) {
            return -1;
        }
        final List<Long> sorted = values.stream().sorted().toList();
        final int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    private static String stats(List<Long> values) {
        if (values.isEmpty()) {
            return "n/a (no sample)";
        }
        return "p50 " + percentile(values, 50) + " ms, p99 " + percentile(values, 99) + " ms, max "
            + percentile(values, 100) + " ms (" + values.size() + " samples)";
    }

    String render() {
        final StringBuilder s = new StringBuilder();
        s.append("=== raftkv fault soak '").append(config.label()).append("' ").append(started).append(" ===\n")
            .append(config.nodes()).append(" raftkv server JVMs, ").append(config.clientThreads())
            .append(" client threads, seed ").append(config.seed()).append(" (rerun: -Dsoak.seed=").append(config.seed())
            .append("), hold ").append(config.hold().toMillis()).append(" ms, op timeout ")
            .append(config.opTimeout().toMillis()).append(" ms, max election timeout ")
            .append(config.maxElectionTimeoutMs()).append(" ms, server args ").append(config.serverArgs())
            .append(", ").append(seconds).append(" s\n");
        notes.forEach(n -> s.append("note: ").append(n).append('\n'));
        final Map<Fault, Long> byFault = rounds.stream()
            .collect(Collectors.groupingBy(r -> r.fault, () -> new java.util.EnumMap<>(Fault.class), Collectors.counting()));
        s.append("rounds (").append(rounds.size()).append("): ").append(byFault).append('\n');
        rounds.forEach(r -> s.append(r).append('\n'));
        s.append("operations: ").append(outcomes).append('\n');
        unknownSamples.forEach(u -> s.append("  UNKNOWN because: ").append(u).append('\n'));
        s.append("server failover (fault -> a leader in a higher term): ").append(stats(failoverMillis)).append('\n');
        s.append("client-perceived outage (fault -> first OK of an operation invoked after it): ")
            .append(stats(outageMillis)).append('\n');
        s.append("acknowledged writes checked on ").append(keysChecked).append(" keys, lost: ").append(lostWrites).append('\n');
        if (linearizability != null) {
            s.append("linearizability: ").append(linearizability.report()).append('\n');
            if (!linearizability.failingPartition().isEmpty()) {
                final List<String> lines = new History<>(linearizability.failingPartition()).render(new KvModel())
                    .lines().toList();
                s.append("the failing key's whole history (").append(lines.size() - 1).append(" operations")
                    .append(lines.size() > MAX_PARTITION_LINES ? ", first " + (MAX_PARTITION_LINES - 1) : "")
                    .append("; times are System.nanoTime):\n");
                lines.stream().limit(MAX_PARTITION_LINES).forEach(l -> s.append(l).append('\n'));
            }
        }
        failures.forEach(f -> s.append("FAILURE: ").append(f).append('\n'));
        verdicts.forEach((name, ok) -> s.append(ok ? "PASS " : "FAIL ").append(name).append('\n'));
        s.append("=== ").append(passed() ? "PASSED" : "FAILED").append(" ===\n");
        return s.toString();
    }
}
