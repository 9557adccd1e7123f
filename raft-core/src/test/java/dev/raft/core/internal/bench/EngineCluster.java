package dev.raft.core.internal.bench;

import dev.raft.api.EntryBatch;
import dev.raft.api.Membership;
import dev.raft.api.Role;
import dev.raft.api.Vote;
import dev.raft.api.config.RaftConfig;
import dev.raft.api.message.MessageType;
import dev.raft.api.message.RaftMessage;
import dev.raft.core.internal.engine.Commands;
import dev.raft.core.internal.engine.replication.EntrySource;
import dev.raft.core.internal.engine.RaftEngine;
import dev.raft.core.internal.runtime.EntryCache;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Three engines wired in one thread with no IO: each keeps its log in an {@link EntryCache}, appends are
 * durable at once (reported back on the next pump), and messages travel through pooled, reusable copies.
 * Allocation-free in steady state, so that a benchmark measures the engine alone.
 */
final class EngineCluster {
    static final int SIZE = 3;

    final Node[] nodes = new Node[SIZE];
    private final ArrayDeque<RaftMessage> inFlight = new ArrayDeque<>(4096);
    private final List<ArrayDeque<RaftMessage>> pools = new ArrayList<>();
    private final UnsafeBuffer payload;
    private long nowNanos = TimeUnit.SECONDS.toNanos(1);

    EngineCluster(int payloadBytes, int maxEntriesPerAppend) {
        payload = new UnsafeBuffer(new byte[payloadBytes]);
        for (int i = 0; i <= MessageType.values().length; i++) {
            pools.add(new ArrayDeque<>(4096));
        }
        final Membership membership = Membership.of(1, 2, 3);
        for (int i = 0; i < SIZE; i++) {
            final RaftConfig config = RaftConfig.builder().nodeId(i + 1).initialMembership(membership)
                .maxEntriesPerAppend(maxEntriesPerAppend).maxInflightAppends(64).build();
            nodes[i] = new Node(config, i + 1);
        }
        for (Node n : nodes) {
            n.engine.log().reset(0, 0);
            n.engine.start(nowNanos, Vote.INITIAL, 0);
            n.execute();
        }
    }

    /** Lets time pass until node 1 leads (only node 1's timer is allowed to fire first). */
    EngineCluster electNodeOne() {
        nowNanos += TimeUnit.MILLISECONDS.toNanos(310);
        nodes[0].engine.tick(nowNanos);
        nodes[0].execute();
        pump();
        if (nodes[0].engine.state().role() != Role.LEADER) {
            throw new IllegalStateException("node 1 did not become leader: " + nodes[0].engine);
        }
        return this;
    }

    RaftEngine leader() {
        return nodes[0].engine;
    }

    /** Proposes {@code count} entries on the leader and pumps until they are committed there. */
    void proposeAndCommit(int count) {
        final RaftEngine leader = nodes[0].engine;
        long last = 0;
        for (int i = 0; i < count; i++) {
            last = leader.propose(payload, 0, payload.capacity());
        }
        leader.flushPending();
        nodes[0].execute();
        while (leader.state().commitIndex() < last) {
            if (!pump()) {
                throw new IllegalStateException("no progress before commit of " + last + ": " + leader);
            }
        }
    }

    /** Delivers flush reports and messages until quiet; false if nothing happened. */
    boolean pump() {
        boolean any = false;
        for (int round = 0; round < 1_000_000; round++) {
            boolean progress = false;
            for (Node n : nodes) {
                if (n.appended > n.reportedFlushed) {
                    n.reportedFlushed = n.appended;
                    n.engine.onLogFlushed(n.appended);
                    n.execute();
                    progress = true;
                }
            }
            RaftMessage m;
            while ((m = inFlight.poll()) != null) {
                nodes[m.to() - 1].engine.onMessage(m);
                nodes[m.to() - 1].execute();
                pools.get(m.type().code()).add(m);
                progress = true;
            }
            if (!progress) {
                break;
            }
            any = true;
        }
        long keepFrom = Long.MAX_VALUE;
        for (Node n : nodes) {
            keepFrom = Math.min(keepFrom, n.engine.state().commitIndex() + 1);
        }
        for (Node n : nodes) {
            n.log.trimBelow(keepFrom);
        }
        return any;
    }

    private void enqueue(RaftMessage message) {
        RaftMessage copy = pools.get(message.type().code()).poll();
        if (copy == null) {
            copy = RaftMessage.newInstance(message.type());
        }
        copy.copyFrom(message);
        inFlight.add(copy);
    }

    /** One engine and its in-memory log; executes the engine's commands after each event. */
    final class Node implements EntrySource {
        final RaftEngine engine;
        final EntryCache log = new EntryCache(1 << 20, 1024, Integer.MAX_VALUE);
        long appended;
        long reportedFlushed;
        long committed;

        Node(RaftConfig config, long seed) {
            // node 1 times out first: its jitter source always yields the minimum timeout
            this.engine = new RaftEngine(config, seed == 1 ? new MinimumRandom() : new SplittableRandom(seed), this);
        }

        @Override
        public int read(EntryBatch dst, long fromIndex, long toIndex, int maxBytes) {
            return log.copyTo(dst, fromIndex, toIndex, maxBytes);
        }

        /** Executes the last event's commands (the benchmark cluster never snapshots). */
        void execute() {
            final Commands c = engine.commands();
            final long committedBefore = committed;
            for (int i = 0; i < c.size(); i++) {
                switch (c.type(i)) {
                    case PERSIST_VOTE -> {
                        // durable at once: no IO
                    }
                    case APPEND -> {
                        log.append(c.entries(i), c.from(i), c.to(i));
                        appended = log.lastIndex();
                    }
                    case TRUNCATE -> {
                        log.truncateFrom(c.index(i));
                        appended = Math.min(appended, c.index(i) - 1);
                        reportedFlushed = Math.min(reportedFlushed, c.index(i) - 1);
                    }
                    case SEND -> enqueue(c.message(i));
                    case APPLY -> committed = c.index(i);
                    case LEADERSHIP_LOST -> throw new IllegalStateException("node " + engine.state().selfId()
                        + " lost leadership of term " + c.term(i));
                    default -> throw new IllegalStateException("node " + engine.state().selfId()
                        + ": the benchmark cluster never builds or sends snapshots: " + c.describe(i));
                }
            }
            if (committed != committedBefore) {
                engine.onApplied(committed);
            }
        }
    }

    /** Jitter that always picks the lower bound. */
    private static final class MinimumRandom implements java.util.random.RandomGenerator {
        @Override
        public long nextLong() {
            return 0;
        }

        @Override
        public long nextLong(long origin, long bound) {
            return origin;
        }
    }
}
