package dev.raft.core;

import java.nio.file.Path;

/**
 * Prints the counters of a running node from its counters file (see {@link RaftCounters#mappedFile}), one
 * line each: {@code <type id> <value> <label>}; like Aeron's {@code AeronStat}, from any process.
 *
 * <pre>
 * java --add-exports java.base/jdk.internal.misc=org.agrona -p &lt;module path&gt; -m dev.raft.core/dev.raft.core.RaftStat \
 *     /var/lib/raftkv/counters/raft-node-1-counters.dat
 * </pre>
 */
public final class RaftStat {
    private RaftStat() {
    }

    /** Prints the counters of the file named by the only argument. */
    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: RaftStat <counters file>");
            System.exit(2);
        }
        try (RaftCounters.View view = RaftCounters.openMappedFile(Path.of(args[0]))) {
            view.reader().forEach((counterId, typeId, key, label) ->
                System.out.println(typeId + " " + view.reader().getCounterValue(counterId) + " " + label));
        }
    }
}
