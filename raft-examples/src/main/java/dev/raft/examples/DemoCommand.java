package dev.raft.examples;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code raftkv demo}: the narrated 3-node cluster in one process. */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Start a 3-node cluster in this process on 127.0.0.1 (Aeron UDP, file storage in a temporary",
        "directory removed at the end), elect a leader, write 1,000 keys, kill the leader, show the failover,",
        "read every key back, restart the old leader and watch it catch up. No configuration."})
final class DemoCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        final PrintWriter out = spec.commandLine().getOut();
        final Demo.Report report = new Demo(out).run();
        final boolean ok = report.readBack() == Demo.WRITES && report.written() == Demo.WRITES
            && report.keysPerNode().stream().allMatch(k -> k == Demo.WRITES);
        if (!ok) {
            spec.commandLine().getErr().println("raftkv demo: FAILED: " + report);
        }
        return ok ? 0 : 1;
    }
}
