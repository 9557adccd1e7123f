package dev.raft.examples.bench;

import io.aeron.CncFileDescriptor;
import java.io.File;
import java.io.PrintWriter;
import java.nio.MappedByteBuffer;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;

/**
 * What each node's media driver and transport sent and received during a phase, read from the drivers' counters
 * (their CnC files, as {@code AeronStat} reads them): the driver's bytes on the wire and the transport's messages and
 * bytes, per bench message. It tells how many Raft messages (AppendEntries, acknowledgements, heartbeats) one command
 * costs, which is what the drivers' CPU follows.
 */
final class DriverTraffic {
    /** The driver counters and the transport counters (label suffixes) reported, in this order. */
    private static final String[] REPORTED = {"Bytes sent", "Bytes received", "frames-out", "frames-in", "bytes-out"};

    private final Map<Integer, String> directories;
    private final Map<Integer, Map<String, Long>> before = new TreeMap<>();

    private DriverTraffic(Map<Integer, String> directories) {
        this.directories = directories;
        directories.forEach((id, dir) -> before.put(id, read(dir)));
    }

    /** Starts counting for the drivers in {@code directories} (by node id); null when none are given. */
    static DriverTraffic start(Map<Integer, String> directories) {
        return directories == null || directories.isEmpty() ? null : new DriverTraffic(directories);
    }

    /** Prints, per node, each reported counter's change since {@link #start} divided by {@code messages}. */
    void print(String phase, long messages, PrintWriter out) {
        out.printf(Locale.ROOT, "traffic in %s, per message (driver: bytes on the wire; transport: Raft messages"
            + " and their bytes):%n", phase);
        for (Map.Entry<Integer, String> e : directories.entrySet()) {
            final Map<String, Long> now = read(e.getValue());
            final Map<String, Long> then = before.get(e.getKey());
            final StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  node %d:", e.getKey()));
            for (String name : REPORTED) {
                final long delta = now.getOrDefault(name, 0L) - then.getOrDefault(name, 0L);
                line.append(String.format(Locale.ROOT, "  %s %.2f", name, (double) delta / messages));
            }
            out.println(line);
        }
    }

    /**
     * The counters of the driver in {@code directory}, by label: the driver's own under their label, the transport's
     * ({@code "raft-transport cluster=C node=N <name>"}) under their last word; summed over equal names.
     */
    private static Map<String, Long> read(String directory) {
        final Map<String, Long> values = new LinkedHashMap<>();
        final File cnc = new File(directory, CncFileDescriptor.CNC_FILE);
        if (!cnc.exists()) {
            return values;
        }
        final MappedByteBuffer buffer = IoUtil.mapExistingFile(cnc, "cnc");
        try {
            final UnsafeBuffer meta = CncFileDescriptor.createMetaDataBuffer(buffer);
            final CountersReader reader = new CountersReader(
                CncFileDescriptor.createCountersMetaDataBuffer(buffer, meta),
                CncFileDescriptor.createCountersValuesBuffer(buffer, meta));
            reader.forEach((counterId, typeId, keyBuffer, label) -> {
                final String name = label.startsWith("raft-transport ") ? label.substring(label.lastIndexOf(' ') + 1) : label;
                values.merge(name, reader.getCounterValue(counterId), Long::sum);
            });
        } finally {
            IoUtil.unmap(buffer);
        }
        return values;
    }
}
