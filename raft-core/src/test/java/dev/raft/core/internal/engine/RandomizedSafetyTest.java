package dev.raft.core.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.Entry;
import dev.raft.api.Role;
import dev.raft.api.message.RaftMessage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * Five engines under random faults, one seed per run: messages dropped, duplicated, delayed and
 * reordered, partitions, flushes that lag, crashes that lose unflushed entries, and compaction (nodes
 * snapshot their committed prefix and purge their logs, so lagging followers install snapshots sent in
 * small chunks, resumed and restarted under the same faults). After every step:
 * election safety (one leader per term), state-machine safety (every node that commits index i commits
 * the same entry), leader completeness (a new leader of term T holds every entry committed before T),
 * and no follower ever refuses a leader for contradicting its committed entries. After the faults heal:
 * the cluster converges (same log, same commit index everywhere). A failure names the seed.
 * {@code -Dengine.seeds=N} runs more seeds.
 */
class RandomizedSafetyTest {
    private static final int NODES = 5;
    /** Seeds per run: 100 by default, more with {@code -Dengine.seeds=N}. */
    private static final int SEEDS = Integer.getInteger("engine.seeds", 100);

    @Test
    void safetyHoldsUnderRandomFaultsAndTheClusterConvergesAfterwards() {
        long installs = 0;
        for (long seed = 1; seed <= SEEDS; seed++) {
            try {
                final Run run = new Run(seed);
                run.execute();
                installs += run.snapshotsInstalled;
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
            }
        }
        assertTrue(installs > 0, "no follower ever installed a snapshot: compaction went untested");
    }

    private static final class Run {
        private final SplittableRandom random;
        private final TestNode[] nodes = new TestNode[NODES];
        private final List<Object[]> inFlight = new ArrayList<>(); // {message, deliverAtStep}
        private final Set<Long> cut = new HashSet<>();
        private final Map<Long, Integer> leaderOfTerm = new HashMap<>();
        private final Map<Long, Entry> committed = new HashMap<>();
        private final Map<Long, Long> committedSeenInTerm = new HashMap<>();
        private final long[] checkedUpTo = new long[NODES];
        private final Role[] lastRole = new Role[NODES];
        private final UnsafeBuffer payload = new UnsafeBuffer(new byte[8]);
        private final boolean preVote;
        private final boolean checkQuorum;
        private long step;
        private long proposals;
        /** Snapshots installed by any node of this run (nodes restarted since included). */
        long snapshotsInstalled;

        Run(long seed) {
            random = new SplittableRandom(seed);
            preVote = random.nextBoolean();
            checkQuorum = random.nextBoolean();
            for (int i = 0; i < NODES; i++) {
                nodes[i] = new TestNode(TestNode.config(i + 1, 1, 2, 3, 4, 5).preVote(preVote).checkQuorum(checkQuorum)
                    .maxEntriesPerAppend(1 + random.nextInt(8)).maxInflightAppends(1 + random.nextInt(4))
                    .snapshotChunkBytes(64 + random.nextInt(512)).maxInflightSnapshotChunks(1 + random.nextInt(4))
                    .maxAppliedLogToKeep(random.nextInt(4)).snapshotTransferTimeoutMillis(200 + random.nextInt(400)).build(),
                    random.nextLong()).start(dev.raft.api.Vote.INITIAL);
            }
        }

        void execute() {
            for (int i = 0; i < 3000; i++) {
                step(true, true);
            }
            cut.clear();
            for (int i = 0; i < 3000; i++) {
                step(false, true);
            }
            for (int i = 0; i < 300; i++) {
                step(false, false); // quiet: let the last proposals commit everywhere
            }
            // converged: one leader, every node holds its log and its commit index
            int leader = -1;
            for (int i = 0; i < NODES; i++) {
                if (nodes[i].engine.role() == Role.LEADER) {
                    leader = i;
                }
            }
            if (leader < 0) {
                throw new AssertionError("no leader after healing; preVote=" + preVote + " checkQuorum=" + checkQuorum
                    + " " + describe());
            }
            for (TestNode n : nodes) {
                assertEquals(nodes[leader].log, n.log, "logs converge: " + describe());
                assertEquals(nodes[leader].engine.commitIndex(), n.engine.commitIndex(), describe());
            }
            assertEquals(nodes[leader].log.size(), nodes[leader].engine.commitIndex(), "everything committed");
            for (TestNode n : nodes) {
                snapshotsInstalled += n.installed.size();
            }
            if (leaderOfTerm.size() < 2 || proposals < 100) {
                throw new AssertionError("the faults were too mild to test anything: " + leaderOfTerm.size()
                    + " terms with a leader, " + proposals + " proposals");
            }
        }

        private void step(boolean faults, boolean propose) {
            step++;
            final long millis = 1 + random.nextInt(10);
            for (TestNode n : nodes) {
                n.advanceMillis(millis);
            }
            if (faults && random.nextInt(120) == 0) {
                repartition();
            }
            if (random.nextInt(250) == 0) {
                // compaction: a node snapshots its committed prefix and purges its log
                final int builder = random.nextInt(NODES);
                nodes[builder].buildSnapshot("s" + step + "-" + (builder + 1));
            }
            if (faults && random.nextInt(200) == 0) {
                final int victim = random.nextInt(NODES);
                snapshotsInstalled += nodes[victim].installed.size();
                nodes[victim] = nodes[victim].restart(random.nextLong());
                checkedUpTo[victim] = 0;
                lastRole[victim] = null;
            }
            if (propose && random.nextInt(3) == 0) {
                final TestNode n = nodes[random.nextInt(NODES)];
                if (n.engine.isLeader()) {
                    payload.putLong(0, ++proposals);
                    n.engine.propose(payload, 0, 8);
                    if (random.nextBoolean()) {
                        n.engine.flushPending();
                    }
                }
            }
            for (TestNode n : nodes) {
                if (!faults || random.nextInt(4) != 0) {
                    n.flushTo(faults ? n.flushed + random.nextInt(1 + n.log.size() - (int) n.flushed) : n.log.size());
                }
            }
            for (TestNode n : nodes) {
                for (RaftMessage m : n.takeSent(null)) {
                    if (faults && random.nextInt(20) == 0) {
                        continue; // dropped
                    }
                    final int copies = faults && random.nextInt(50) == 0 ? 2 : 1;
                    for (int c = 0; c < copies; c++) {
                        inFlight.add(new Object[] {m, step + (faults ? random.nextInt(4) : 0)});
                    }
                }
            }
            final List<Object[]> due = new ArrayList<>();
            inFlight.removeIf(e -> {
                if ((long) e[1] <= step) {
                    due.add(e);
                    return true;
                }
                return false;
            });
            for (Object[] e : due) {
                final RaftMessage m = (RaftMessage) e[0];
                if (!cut.contains(link(m.from(), m.to())) && !cut.contains(link(m.to(), m.from()))) {
                    nodes[m.to() - 1].receive(m);
                }
            }
            check();
        }

        private void repartition() {
            cut.clear();
            if (random.nextInt(3) == 0) {
                return; // healed
            }
            final int[] side = new int[NODES];
            for (int i = 0; i < NODES; i++) {
                side[i] = random.nextInt(2);
                if (nodes[i].engine.isLeader() && random.nextBoolean()) {
                    side[i] = 2; // the leader alone, or with whoever else lands here
                }
            }
            for (int a = 1; a <= NODES; a++) {
                for (int b = 1; b <= NODES; b++) {
                    if (side[a - 1] != side[b - 1]) {
                        cut.add(link(a, b));
                    }
                }
            }
        }

        private void check() {
            for (int i = 0; i < NODES; i++) {
                final EngineUnderTest e = nodes[i].engine;
                if (e.counter(EngineCounter.SAFETY_VIOLATIONS) != 0) {
                    throw new AssertionError("node " + (i + 1) + " was asked to overwrite a committed entry: " + describe());
                }
                if (e.role() == Role.LEADER) {
                    final Integer other = leaderOfTerm.putIfAbsent(e.term(), i + 1);
                    if (other != null && other != i + 1) {
                        throw new AssertionError("two leaders in term " + e.term() + ": " + other + " and " + (i + 1));
                    }
                    if (lastRole[i] != Role.LEADER) {
                        for (Map.Entry<Long, Entry> c : committed.entrySet()) {
                            final long index = c.getKey();
                            if (committedSeenInTerm.get(index) < e.term()
                                && (nodes[i].log.size() < index || !nodes[i].log.get((int) index - 1).equals(c.getValue()))) {
                                throw new AssertionError("leader " + (i + 1) + " of term " + e.term()
                                    + " lacks committed entry " + c.getValue());
                            }
                        }
                    }
                }
                lastRole[i] = e.role();
                for (long index = checkedUpTo[i] + 1; index <= e.commitIndex(); index++) {
                    final Entry entry = nodes[i].log.get((int) index - 1);
                    final Entry known = committed.putIfAbsent(index, entry);
                    if (known != null && !known.equals(entry)) {
                        throw new AssertionError("index " + index + " committed as " + known + " and as " + entry
                            + " on node " + (i + 1));
                    }
                    committedSeenInTerm.merge(index, e.term(), Math::min);
                }
                checkedUpTo[i] = Math.max(checkedUpTo[i], e.commitIndex());
            }
        }

        private String describe() {
            final StringBuilder sb = new StringBuilder();
            for (TestNode n : nodes) {
                sb.append("\n  ").append(n.engine);
            }
            return sb.toString();
        }

        private static long link(int from, int to) {
            return ((long) from << 32) | to;
        }
    }
}
