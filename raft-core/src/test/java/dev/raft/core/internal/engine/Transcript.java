package dev.raft.core.internal.engine;

import dev.raft.api.LogId;
import dev.raft.api.Membership;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.Vote;
import dev.raft.api.config.RaftConfig;
import dev.raft.api.message.InstallSnapshotRequest;
import dev.raft.api.message.RaftMessage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Runs the directives of a transcript (etcd-raft's datadriven style) against a small network of engines
 * ({@link TestNode}s, manual time, seeded jitter) and prints what each event did: the commands in execution
 * order, the reports the runtime gives back, and state on request. Messages wait in one FIFO network until
 * a {@code deliver} or {@code stabilize} directive moves them.
 *
 * <p>Directives (arguments are {@code key=value}; flags are bare words):
 * <ul>
 *   <li>{@code nodes n=3 [prevote=false] [checkquorum=false] [chunk=B] [window=N] [keep=N] [inflight=N]}: fresh
 *       nodes 1..n with empty logs.</li>
 *   <li>{@code restart id=2 term=T [vote=V] [log=1,1,2]}: node {@code id} restarted from a stored vote and log
 *       (terms of indexes 1..).</li>
 *   <li>{@code tick id=1 ms=310}: time passes on one node (10 ms steps).</li>
 *   <li>{@code tick-all ms=50}: time passes on every node (10 ms steps, no delivery).</li>
 *   <li>{@code deliver [from=1] [to=2] [drop]}: each waiting message that matches, in order, is delivered (or
 *       dropped); messages those deliveries send wait for the next directive.</li>
 *   <li>{@code flush [id=1] [upto=N]}: the log store reports entries durable.</li>
 *   <li>{@code stabilize}: flush every log and deliver until no message waits.</li>
 *   <li>{@code run ms=300}: every node's time passes in 10 ms steps, each followed by a silent stabilize;
 *       prints nothing (follow it with {@code state}).</li>
 *   <li>{@code propose id=1 [n=1]}: client commands on node {@code id}, handed to the log as one append.</li>
 *   <li>{@code isolate id=3} / {@code heal}: messages to or from {@code id} are dropped on delivery.</li>
 *   <li>{@code snapshot id=1 name=s1}: node {@code id} builds a snapshot of its committed prefix.</li>
 *   <li>{@code build id=1 begin|end}: a local build begins or ends (without a snapshot).</li>
 *   <li>{@code chunk to=1 from=2 term=T snap=s1 last=T-I at=O len=L [done]}: an InstallSnapshot chunk (bytes
 *       O..O+L of a fixed 12-byte snapshot) arrives at node {@code to}.</li>
 *   <li>{@code fail-writes id=1 [n=1]} / {@code fail-install id=1}: the next chunk writes (or the install) fail.</li>
 *   <li>{@code state [id=1]}, {@code progress id=1}, {@code network}: print state.</li>
 * </ul>
 */
final class Transcript {
    private static final byte[] SNAPSHOT_DATA = {10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21};

    private final Map<Integer, TestNode> nodes = new LinkedHashMap<>();
    private final List<RaftMessage> network = new ArrayList<>();
    private final Set<Integer> isolated = new HashSet<>();
    private int[] ids;

    /** Runs one directive and returns its output (without a trailing newline). */
    String run(String directive, Map<String, String> args) {
        final StringBuilder out = new StringBuilder();
        switch (directive) {
            case "nodes" -> {
                final int n = intArg(args, "n", 3);
                ids = new int[n];
                for (int i = 0; i < n; i++) {
                    ids[i] = i + 1;
                }
                nodes.clear();
                network.clear();
                isolated.clear();
                for (int id : ids) {
                    nodes.put(id, new TestNode(config(id, args), 1000 + id).start(Vote.INITIAL));
                }
                this.lastArgs = args;
                printState(out, null);
            }
            case "restart" -> {
                final int id = intArg(args, "id", 0);
                final long term = intArg(args, "term", 0);
                final int vote = intArg(args, "vote", 0);
                final long[] terms = args.containsKey("log")
                    ? Arrays.stream(args.get("log").split(",")).mapToLong(Long::parseLong).toArray() : new long[0];
                nodes.put(id, new TestNode(config(id, lastArgs), 1000 + id).start(new Vote(term, vote), terms));
                network.removeIf(m -> m.to() == id || m.from() == id);
                printState(out, id);
            }
            case "tick" -> {
                final TestNode n = node(args);
                for (long t = 0; t < intArg(args, "ms", 10); t += 10) {
                    n.advanceMillis(10);
                }
                collect(out, n, "");
            }
            case "tick-all" -> {
                for (long t = 0; t < intArg(args, "ms", 10); t += 10) {
                    for (TestNode n : nodes.values()) {
                        n.advanceMillis(10);
                    }
                }
                for (TestNode n : nodes.values()) {
                    collect(out, n, "n" + n.config.nodeId() + ": ");
                }
            }
            case "deliver" -> deliver(out, args);
            case "flush" -> {
                for (TestNode n : args.containsKey("id") ? List.of(node(args)) : List.copyOf(nodes.values())) {
                    n.flushTo(args.containsKey("upto") ? Long.parseLong(args.get("upto")) : n.log.size());
                    collect(out, n, "n" + n.config.nodeId() + ": ");
                }
            }
            case "stabilize" -> {
                for (int round = 0; round < 100; round++) {
                    for (TestNode n : nodes.values()) {
                        n.flushAll();
                        collect(out, n, "n" + n.config.nodeId() + " flushed: ");
                    }
                    if (network.isEmpty()) {
                        break;
                    }
                    deliver(out, Map.of());
                }
            }
            case "run" -> {
                final StringBuilder ignored = new StringBuilder();
                for (long t = 0; t < intArg(args, "ms", 10); t += 10) {
                    for (TestNode n : nodes.values()) {
                        n.advanceMillis(10);
                        collect(ignored, n, "");
                    }
                    run("stabilize", Map.of());
                }
            }
            case "propose" -> {
                final TestNode n = node(args);
                final UnsafeBuffer command = new UnsafeBuffer(new byte[] {7});
                for (int i = 0; i < intArg(args, "n", 1); i++) {
                    if (n.engine.propose(command, 0, 1) < 0) {
                        out.append("refused: not the leader\n");
                    }
                }
                n.engine.flushPending();
                collect(out, n, "");
            }
            case "isolate" -> isolated.add(intArg(args, "id", 0));
            case "heal" -> isolated.clear();
            case "snapshot" -> {
                final TestNode n = node(args);
                out.append(n.buildSnapshot(args.get("name")) ? "built\n" : "refused\n");
                collect(out, n, "");
            }
            case "build" -> {
                final TestNode n = node(args);
                if (args.containsKey("begin")) {
                    out.append(n.engine.beginSnapshotBuild() ? "begun\n" : "refused\n");
                } else {
                    n.engine.snapshotBuildEnded();
                }
                out.append("snapshot state: ").append(n.engine.snapshotState()).append('\n');
            }
            case "chunk" -> {
                final TestNode n = nodes.get(intArg(args, "to", 0));
                final String[] last = args.get("last").split("-");
                final SnapshotMeta meta = new SnapshotMeta(args.get("snap"),
                    LogId.of(Long.parseLong(last[0]), Long.parseLong(last[1])), Membership.of(ids));
                final int at = intArg(args, "at", 0);
                final int len = intArg(args, "len", 0);
                final InstallSnapshotRequest req = new InstallSnapshotRequest().set(intArg(args, "from", 0),
                    n.config.nodeId(), intArg(args, "term", 0), meta, at, new UnsafeBuffer(SNAPSHOT_DATA), at, len,
                    args.containsKey("done"));
                n.receive(req);
                collect(out, n, "");
                out.append("snapshot state: ").append(n.engine.snapshotState()).append('\n');
            }
            case "fail-writes" -> node(args).failWrites = intArg(args, "n", 1);
            case "fail-install" -> node(args).failInstall = true;
            case "state" -> printState(out, args.containsKey("id") ? intArg(args, "id", 0) : null);
            case "progress" -> {
                final TestNode n = node(args);
                for (int id : ids) {
                    if (id != n.config.nodeId()) {
                        out.append("n").append(id).append(": match=").append(n.engine.matchIndex(id))
                            .append(" next=").append(n.engine.nextIndex(id))
                            .append(n.engine.isReplicating(id) ? " replicate" : " probe/snapshot")
                            .append(" inflight=").append(n.engine.inflightCount(id)).append('\n');
                    }
                }
            }
            case "network" -> {
                for (RaftMessage m : network) {
                    out.append(m).append('\n');
                }
            }
            default -> throw new IllegalArgumentException("unknown directive: " + directive);
        }
        final String s = out.toString();
        return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }

    private Map<String, String> lastArgs = Map.of();

    private RaftConfig config(int id, Map<String, String> args) {
        final RaftConfig.Builder b = TestNode.config(id, ids);
        if (args.containsKey("prevote")) {
            b.preVote(Boolean.parseBoolean(args.get("prevote")));
        }
        if (args.containsKey("checkquorum")) {
            b.checkQuorum(Boolean.parseBoolean(args.get("checkquorum")));
        }
        if (args.containsKey("chunk")) {
            b.snapshotChunkBytes(Integer.parseInt(args.get("chunk")));
        }
        if (args.containsKey("window")) {
            b.maxInflightSnapshotChunks(Integer.parseInt(args.get("window")));
        }
        if (args.containsKey("keep")) {
            b.maxAppliedLogToKeep(Integer.parseInt(args.get("keep")));
        }
        if (args.containsKey("inflight")) {
            b.maxInflightAppends(Integer.parseInt(args.get("inflight")));
        }
        return b.build();
    }

    private void deliver(StringBuilder out, Map<String, String> args) {
        final List<RaftMessage> batch = new ArrayList<>();
        final Iterator<RaftMessage> it = network.iterator();
        while (it.hasNext()) {
            final RaftMessage m = it.next();
            if ((!args.containsKey("from") || m.from() == intArg(args, "from", 0))
                && (!args.containsKey("to") || m.to() == intArg(args, "to", 0))) {
                batch.add(m);
                it.remove();
            }
        }
        for (RaftMessage m : batch) {
            if (args.containsKey("drop") || isolated.contains(m.from()) || isolated.contains(m.to())) {
                out.append("dropped ").append(m).append('\n');
                continue;
            }
            out.append(m).append('\n');
            final TestNode n = nodes.get(m.to());
            n.receive(m);
            collect(out, n, "  ");
        }
    }

    /** Prints what node {@code n} executed since the last call and moves what it sent to the network. */
    private void collect(StringBuilder out, TestNode n, String prefix) {
        for (String line : n.trace) {
            out.append(prefix).append(line).append('\n');
        }
        n.trace.clear();
        n.commands.clear();
        network.addAll(n.takeSent(null));
    }

    private void printState(StringBuilder out, Integer only) {
        for (TestNode n : nodes.values()) {
            if (only != null && n.config.nodeId() != only) {
                continue;
            }
            final EngineUnderTest e = n.engine;
            out.append("n").append(n.config.nodeId()).append(": ").append(e.role()).append(" term=").append(e.term())
                .append(" vote=").append(e.votedFor()).append(" leader=").append(e.leaderId())
                .append(" last=").append(e.lastLogTerm()).append('-').append(e.lastLogIndex())
                .append(" commit=").append(e.commitIndex()).append(" purged=").append(e.purgedIndex())
                .append(" snapshot=").append(e.snapshotState()).append('\n');
        }
    }

    private TestNode node(Map<String, String> args) {
        final TestNode n = nodes.get(intArg(args, "id", 0));
        if (n == null) {
            throw new IllegalArgumentException("no node " + args.get("id"));
        }
        return n;
    }

    private static int intArg(Map<String, String> args, String key, int dflt) {
        return args.containsKey(key) ? Integer.parseInt(args.get(key)) : dflt;
    }
}
