package dev.raft.examples;

import dev.raft.api.RaftMetrics;
import dev.raft.examples.kv.KvCommands;
import dev.raft.examples.kv.KvNode;
import dev.raft.examples.kv.KvResult;
import dev.raft.storage.file.DurabilityMode;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * The {@code raftkv demo} scenario: a 3-node cluster in this process on 127.0.0.1 (Aeron UDP, one embedded
 * media driver per node, file storage in a temporary directory removed at the end), narrated step by step.
 */
final class Demo {
    static final int NODES = 3;
    static final int WRITES = 1000;
    private static final int WINDOW = 64;
    private static final long STEP_TIMEOUT_MILLIS = 20_000;
    /** Every node snapshots its map every this many applied entries ... */
    static final long SNAPSHOT_EVERY = 400;
    /** ... and then purges its log, keeping this many applied entries. */
    static final long LOG_KEPT = 100;
    /**
     * A snapshot transfer without an answer for this long resumes from the last acknowledged chunk (the first
     * chunks to a node that just restarted can be lost while its Aeron image connects).
     */
    static final long SNAPSHOT_RETRY_MILLIS = 500;

    /**
     * What the demo observed.
     *
     * @param firstLeader     the leader killed after the writes (the first one elected, unless the leadership moved)
     * @param firstTerm       its term
     * @param electionMillis  from the nodes' start to a leader known by all
     * @param secondLeader    the leader elected after the kill
     * @param secondTerm      its term
     * @param failoverMillis  from the kill to a new leader known by both survivors
     * @param written         writes acknowledged
     * @param readBack        keys read back with the written value
     * @param caughtUpMillis  from the old leader's restart until it applied everything the leader committed
     * @param finalMetrics    every node's metrics at the end
     * @param keysPerNode     every node's key count at the end
     * @param wallMillis      the whole run
     */
    record Report(int firstLeader, long firstTerm, long electionMillis, int secondLeader, long secondTerm,
                  long failoverMillis, int written, int readBack, long caughtUpMillis,
                  List<RaftMetrics> finalMetrics, List<Integer> keysPerNode, long wallMillis) {
    }

    private final PrintWriter out;
    private final long t0 = System.nanoTime();
    private int writesSeen;

    Demo(PrintWriter out) {
        this.out = out;
    }

    Report run() throws Exception {
        final Path dir = Files.createTempDirectory("raftkv-demo-");
        final KvNode[] nodes = new KvNode[NODES + 1];
        try {
            return run(dir, nodes);
        } finally {
            for (KvNode node : nodes) {
                if (node != null) {
                    node.close();
                }
            }
            deleteTree(dir);
            say("removed " + dir);
        }
    }

    private Report run(Path dir, KvNode[] nodes) throws Exception {
        final Map<Integer, String> endpoints = freeLoopbackEndpoints(NODES);
        final int clusterId = ThreadLocalRandom.current().nextInt(1, 1 << 30);
        say("starting " + NODES + " nodes on 127.0.0.1 (Aeron UDP, embedded media drivers, file storage with fsync in "
            + dir + "; a snapshot every " + SNAPSHOT_EVERY + " applied entries, then the log is purged keeping "
            + LOG_KEPT + ")");
        final List<KvNode.Options> options = new ArrayList<>();
        for (Map.Entry<Integer, String> e : endpoints.entrySet()) {
            options.add(new KvNode.Options(clusterId, e.getKey(), endpoints, dir.resolve("node-" + e.getKey()), null,
                DurabilityMode.FSYNC, b -> b.snapshotEveryAppliedEntries(SNAPSHOT_EVERY).maxAppliedLogToKeep(LOG_KEPT)
                    .snapshotTransferTimeoutMillis(SNAPSHOT_RETRY_MILLIS)));
        }
        for (KvNode.Options o : options) {
            nodes[o.nodeId()] = KvNode.start(o);
            say("  node " + o.nodeId() + " listening on " + endpoints.get(o.nodeId()));
        }

        final long electionStart = System.nanoTime();
        final RaftMetrics first = awaitLeader(live(nodes), 0);
        final long electionMillis = millisSince(electionStart);
        say("leader elected: node " + first.nodeId() + " in term " + first.term() + ", " + electionMillis
            + " ms after the nodes started");

        final int written = writeAll(nodes);
        sayCompaction(live(nodes));

        // on a loaded machine the leadership may have moved while writing: kill whoever leads now
        final RaftMetrics killed = awaitLeader(live(nodes), 0);
        say("killing the leader, node " + killed.nodeId() + (killed.nodeId() == first.nodeId() && killed.term() == first.term()
            ? "" : " (the leader since term " + killed.term() + ")"));
        final long killedAt = System.nanoTime();
        nodes[killed.nodeId()].close();
        nodes[killed.nodeId()] = null;
        final RaftMetrics second = awaitLeader(live(nodes), killed.term());
        final long failoverMillis = millisSince(killedAt);
        say("new leader: node " + second.nodeId() + " in term " + second.term() + ", failover took " + failoverMillis + " ms");

        final int readBack = readAll(nodes);

        say("restarting node " + killed.nodeId() + " on its data directory");
        final long restartAt = System.nanoTime();
        nodes[killed.nodeId()] = KvNode.start(options.get(killed.nodeId() - 1));
        final RaftMetrics restarted = nodes[killed.nodeId()].metrics();
        final RaftMetrics newLeader = nodes[second.nodeId()].metrics();
        say("  node " + killed.nodeId() + " restarted with its snapshot at index " + restarted.snapshotLastLogId().index()
            + " and its log up to index " + restarted.lastLogId().index() + "; the leader's log starts after index "
            + newLeader.purgedLogId().index());
        final long caughtUpMillis = awaitCaughtUp(nodes[killed.nodeId()], nodes[second.nodeId()], restartAt);
        final RaftMetrics caughtUp = nodes[killed.nodeId()].metrics();
        if (caughtUp.snapshotLastLogId().index() > Math.max(restarted.snapshotLastLogId().index(), restarted.lastLogId().index())) {
            say("  node " + killed.nodeId() + " holds a snapshot at index " + caughtUp.snapshotLastLogId().index()
                + ": the entries it missed had been compacted away, so it was sent the leader's snapshot");
        }

        final List<RaftMetrics> finalMetrics = new ArrayList<>();
        final List<Integer> keys = new ArrayList<>();
        for (KvNode node : live(nodes)) {
            finalMetrics.add(node.metrics());
            keys.add(node.stateMachine().size());
        }
        printTable(finalMetrics, keys);
        final long wall = millisSince(t0);
        say("done in " + wall + " ms: election " + electionMillis + " ms, failover " + failoverMillis + " ms, "
            + written + " writes, " + readBack + " keys read back, node " + killed.nodeId() + " caught up in "
            + caughtUpMillis + " ms");
        return new Report(killed.nodeId(), killed.term(), electionMillis, second.nodeId(), second.term(), failoverMillis,
            written, readBack, caughtUpMillis, finalMetrics, keys, wall);
    }

    private void sayCompaction(List<KvNode> nodes) {
        for (KvNode node : nodes) {
            final RaftMetrics m = node.metrics();
            say("  node " + node.id() + ": snapshot at index " + m.snapshotLastLogId().index() + ", log purged up to index "
                + m.purgedLogId().index() + ", last log index " + m.lastLogId().index());
        }
    }

    private int writeAll(KvNode[] nodes) throws Exception {
        say("writing " + WRITES + " keys through the leader (" + WINDOW + " in flight)");
        final long start = System.nanoTime();
        final List<byte[]> commands = new ArrayList<>(WRITES);
        for (int i = 0; i < WRITES; i++) {
            commands.add(KvCommands.put(key(i), value(i)));
        }
        final LeaderPipeline pipeline = pipeline(nodes);
        int done = 0;
        for (KvResult result : pipeline.run(commands, i -> progress(start))) {
            if (result.status() != KvResult.Status.OK) {
                throw new IllegalStateException("a write was answered " + result.status());
            }
            done++;
        }
        final long millis = Math.max(1, millisSince(start));
        say("  " + done + "/" + WRITES + " writes committed in " + millis + " ms (" + (done * 1000L / millis) + " writes/s)"
            + resubmittedNote(pipeline));
        return done;
    }

    /** Prints the progress line every 250 writes. */
    private void progress(long start) {
        writesSeen++;
        if (writesSeen % 250 == 0 && writesSeen < WRITES) {
            say("  " + writesSeen + "/" + WRITES + " writes committed (" + millisSince(start) + " ms)");
        }
    }

    /** Commands go to whichever live node leads when they are (re)submitted. */
    private static LeaderPipeline pipeline(KvNode[] nodes) {
        return new LeaderPipeline(() -> {
            final KvNode leader = nodes[awaitLeader(live(nodes), 0).nodeId()];
            return leader::submit;
        }, WINDOW, STEP_TIMEOUT_MILLIS);
    }

    private static String resubmittedNote(LeaderPipeline pipeline) {
        return pipeline.resubmitted() == 0 ? "" : "; " + pipeline.resubmitted()
            + " submitted again through a new leader after a leader change (puts and gets are idempotent)";
    }

    private int readAll(KvNode[] nodes) throws Exception {
        say("reading every key back through the leader"
            + " (reads go through the Raft log; linearizable ReadIndex reads come later)");
        final List<byte[]> commands = new ArrayList<>(WRITES);
        for (int i = 0; i < WRITES; i++) {
            commands.add(KvCommands.get(key(i)));
        }
        final LeaderPipeline pipeline = pipeline(nodes);
        final List<KvResult> results = pipeline.run(commands, i -> { });
        int ok = 0;
        for (int i = 0; i < WRITES; i++) {
            final KvResult r = results.get(i);
            if (r.status() == KvResult.Status.OK && r.valueText().equals(new String(value(i), StandardCharsets.UTF_8))) {
                ok++;
            } else {
                say("  key " + key(i) + ": " + r.status() + " '" + r.valueText() + "'");
            }
        }
        say("  " + ok + "/" + WRITES + " keys read back with the written value" + resubmittedNote(pipeline));
        return ok;
    }

    private long awaitCaughtUp(KvNode restarted, KvNode leader, long restartAt) throws Exception {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STEP_TIMEOUT_MILLIS);
        long lastPrinted = -1;
        long nextPrint = 0;
        while (true) {
            final long target = leader.metrics().committedIndex();
            final long applied = restarted.metrics().appliedIndex();
            final long now = System.nanoTime();
            if (applied >= target || now >= nextPrint) {
                if (applied != lastPrinted) {
                    say("  node " + restarted.id() + " applied index " + applied + " of the leader's commit index " + target);
                    lastPrinted = applied;
                }
                nextPrint = now + TimeUnit.MILLISECONDS.toNanos(25);
            }
            if (applied >= target && restarted.stateMachine().size() == leader.stateMachine().size()) {
                final long millis = millisSince(restartAt);
                say("node " + restarted.id() + " caught up in " + millis + " ms");
                return millis;
            }
            if (now >= deadline) {
                throw new TimeoutException("node " + restarted.id() + " applied only " + applied + " of " + target
                    + " within " + STEP_TIMEOUT_MILLIS + " ms");
            }
            Thread.sleep(2);
        }
    }

    private void printTable(List<RaftMetrics> metrics, List<Integer> keys) {
        say("final state of every node:");
        out.printf("  %-4s %-9s %-5s %-6s %-10s %-9s %-8s %-5s%n", "node", "role", "term", "leader", "last log",
            "committed", "applied", "keys");
        for (int i = 0; i < metrics.size(); i++) {
            final RaftMetrics m = metrics.get(i);
            out.printf("  %-4d %-9s %-5d %-6d %-10s %-9d %-8d %-5d%n", m.nodeId(), m.role(), m.term(), m.leaderId(),
                m.lastLogId().term() + "-" + m.lastLogId().index(), m.committedIndex(), m.appliedIndex(), keys.get(i));
        }
        out.flush();
    }

    /**
     * Waits until one live node leads in a term above {@code afterTerm} and every live node knows it.
     */
    static RaftMetrics awaitLeader(List<KvNode> nodes, long afterTerm) throws InterruptedException, TimeoutException {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STEP_TIMEOUT_MILLIS);
        while (System.nanoTime() < deadline) {
            RaftMetrics leader = null;
            for (KvNode node : nodes) {
                final RaftMetrics m = node.metrics();
                if (m.isLeader() && m.term() > afterTerm) {
                    leader = m;
                }
            }
            if (leader != null) {
                final RaftMetrics l = leader;
                if (nodes.stream().map(KvNode::metrics).allMatch(m -> m.leaderId() == l.nodeId() && m.term() == l.term())) {
                    return leader;
                }
            }
            Thread.sleep(1);
        }
        final StringBuilder seen = new StringBuilder();
        nodes.forEach(n -> seen.append("\n  ").append(n.metrics()));
        throw new TimeoutException("no leader in a term above " + afterTerm + " known by all of " + nodes.size()
            + " nodes within " + STEP_TIMEOUT_MILLIS + " ms; last metrics:" + seen);
    }

    private static List<KvNode> live(KvNode[] nodes) {
        final List<KvNode> live = new ArrayList<>();
        for (KvNode node : nodes) {
            if (node != null) {
                live.add(node);
            }
        }
        live.sort(Comparator.comparingInt(KvNode::id));
        return live;
    }

    static String key(int i) {
        return String.format("key-%04d", i);
    }

    static byte[] value(int i) {
        return ("value-" + i).getBytes(StandardCharsets.UTF_8);
    }

    /** Ports are chosen in [FIRST_PORT, LAST_PORT): below Linux's ephemeral range (32768-60999 by default). */
    private static final int FIRST_PORT = 20_000;
    private static final int LAST_PORT = 32_700;

    /**
     * {@code count} endpoints 127.0.0.1:port with ports free for UDP right now, ids 1..count; port + 1 (a server's
     * client port) is free too. The ports are not ephemeral ones: a port the OS handed out as ephemeral could be
     * handed out again to any socket bound later (an Aeron publication's source port, a client), and a node
     * started after that would find its port in use.
     */
    static Map<Integer, String> freeLoopbackEndpoints(int count) {
        final Map<Integer, String> endpoints = new TreeMap<>();
        final List<DatagramSocket> held = new ArrayList<>();
        final ThreadLocalRandom random = ThreadLocalRandom.current();
        try {
            for (int id = 1; id <= count; id++) {
                // hold each chosen pair until all are chosen, so that no two nodes share a port
                for (int attempt = 0; ; attempt++) {
                    if (attempt == 10_000) {
                        throw new IllegalStateException("no two adjacent free UDP ports on 127.0.0.1 in ["
                            + FIRST_PORT + ", " + LAST_PORT + ")");
                    }
                    final int port = random.nextInt(FIRST_PORT, LAST_PORT);
                    final DatagramSocket raft = bindOrNull(port);
                    if (raft == null) {
                        continue;
                    }
                    held.add(raft);
                    final DatagramSocket clients = bindOrNull(port + 1);
                    if (clients != null) {
                        held.add(clients);
                        endpoints.put(id, "127.0.0.1:" + port);
                        break;
                    }
                }
            }
        } finally {
            held.forEach(DatagramSocket::close);
        }
        return endpoints;
    }

    private static DatagramSocket bindOrNull(int port) {
        try {
            return new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        } catch (IOException e) {
            return null;
        }
    }

    private void say(String line) {
        out.printf("[%6.2fs] %s%n", (System.nanoTime() - t0) / 1e9, line);
        out.flush();
    }

    private static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
