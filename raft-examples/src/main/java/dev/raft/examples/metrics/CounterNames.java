package dev.raft.examples.metrics;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns media-driver counters into Prometheus metrics. A framework counter's label is
 * {@code "raft-<subsystem> key=value ... <words>"}: the subsystem and the words make the name
 * ({@code raft-transport ... frames-in} becomes {@code raft_transport_frames_in_total}), the {@code key=value} pairs
 * become labels, and a {@code <x>-drop <reason>} counter becomes {@code raft_<subsystem>_<x>_drop_total{reason=...}}.
 * The engine's counters, labelled {@code "raft node <id>: <what>"}, become {@code raft_engine_<what>_total{node=...}}
 * (read from {@code RaftMetrics.counters()}; skipped if a driver holds them too, so a name is never served twice).
 * The driver's system counters become {@code aeron_driver_counter{name="..."}} gauges.
 */
final class CounterNames {
    /** Aeron's type id of the driver's system counters. */
    static final int SYSTEM_COUNTER_TYPE_ID = 0;

    private CounterNames() {
    }

    /** A parsed framework counter. */
    record Parsed(String name, Labels labels) {
    }

    private static final java.util.regex.Pattern ENGINE = java.util.regex.Pattern.compile("^raft node (\\d+): (.+)$");

    /** Parses a framework counter's label, or null if it is not one. */
    static Parsed parse(String label) {
        final java.util.regex.Matcher engine = ENGINE.matcher(label.trim());
        if (engine.matches()) {
            // the engine's counters: "raft node <id>: <what>"
            return new Parsed(trimTotal("raft_engine_" + sanitize(engine.group(2))), Labels.of("node", engine.group(1)));
        }
        if (!label.startsWith("raft-")) {
            return null;
        }
        final String[] tokens = label.trim().split("\\s+");
        final List<String> names = new ArrayList<>();
        final List<String> values = new ArrayList<>();
        final List<String> words = new ArrayList<>();
        for (int i = 1; i < tokens.length; i++) {
            final int eq = tokens[i].indexOf('=');
            if (eq > 0 && words.isEmpty()) {
                names.add(sanitize(tokens[i].substring(0, eq)));
                values.add(tokens[i].substring(eq + 1));
            } else {
                words.add(tokens[i]);
            }
        }
        if (words.isEmpty()) {
            return null;
        }
        String name = sanitize(tokens[0]) + "_" + sanitize(words.get(0));
        if (words.size() > 1 && words.get(0).endsWith("-drop")) {
            names.add("reason");
            values.add(String.join(" ", words.subList(1, words.size())));
        } else if (words.size() > 1) {
            name = sanitize(tokens[0]) + "_" + sanitize(String.join("_", words));
        }
        return new Parsed(trimTotal(name), Labels.of(names, values));
    }

    /** Prometheus counters get their {@code _total} suffix from the exposition format. */
    private static String trimTotal(String name) {
        return name.endsWith("_total") ? name.substring(0, name.length() - "_total".length()) : name;
    }

    /** The metrics of {@code counters}; {@code nodeId} labels the driver's system counters. */
    static List<MetricSnapshot> snapshots(List<CncCounters.Counter> counters, String nodeId) {
        final Map<String, CounterSnapshot.Builder> framework = new LinkedHashMap<>();
        final Map<String, Set<Labels>> seen = new LinkedHashMap<>();
        final GaugeSnapshot.Builder system = GaugeSnapshot.builder().name("aeron_driver_counter")
            .help("The media driver's system counters (as AeronStat shows them).");
        final Set<String> systemSeen = new LinkedHashSet<>();
        for (CncCounters.Counter c : counters) {
            if (c.typeId() == SYSTEM_COUNTER_TYPE_ID) {
                if (systemSeen.add(c.label())) {
                    system.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                        .labels(Labels.of("node", nodeId, "name", c.label())).value(c.value()).build());
                }
                continue;
            }
            final Parsed p = parse(c.label());
            if (p == null || ENGINE.matcher(c.label().trim()).matches() || !seen.computeIfAbsent(p.name(), k -> new LinkedHashSet<>()).add(p.labels())) {
                continue;
            }
            framework.computeIfAbsent(p.name(), n -> CounterSnapshot.builder().name(n)
                    .help("Agrona counter '" + c.label().replaceAll("\\S+=\\S+\\s*", "") + "' (type " + c.typeId() + ")"))
                .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(p.labels()).value(c.value()).build());
        }
        final List<MetricSnapshot> out = new ArrayList<>();
        framework.values().forEach(b -> out.add(b.build()));
        if (!systemSeen.isEmpty()) {
            out.add(system.build());
        }
        return out;
    }

    /** The engine's counters (from {@code RaftMetrics.counters()}, by label) as {@code raft_engine_<label>_total{node}}. */
    static List<MetricSnapshot> engineSnapshots(Map<String, Long> counters, String nodeId) {
        final List<MetricSnapshot> out = new ArrayList<>();
        for (Map.Entry<String, Long> e : new java.util.TreeMap<>(counters).entrySet()) {
            final Parsed p = parse("raft node " + nodeId + ": " + e.getKey());
            out.add(CounterSnapshot.builder().name(p.name()).help("Engine counter '" + e.getKey() + "'")
                .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(p.labels()).value(e.getValue()).build())
                .build());
        }
        return out;
    }

    private static String sanitize(String s) {
        final String n = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_").replaceAll("_+", "_");
        return n.replaceAll("^_|_$", "");
    }
}
