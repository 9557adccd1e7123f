package dev.raft.core.internal.bench;

import dev.raft.api.EntryBatch;
import dev.raft.api.Membership;
import dev.raft.api.Role;
import dev.raft.api.Vote;
import dev.raft.api.config.RaftConfig;
import dev.raft.api.message.AppendEntriesRequest;
import dev.raft.api.message.MessageType;
import dev.raft.api.LogId;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.message.InstallSnapshotRequest;
import dev.raft.api.message.RaftMessage;
import org.agrona.DirectBuffer;
import dev.raft.core.internal.engine.EngineOutput;
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
        }
    }

    /** Lets time pass until node 1 leads (only node 1's timer is allowed to fire first). */
    EngineCluster electNodeOne() {
        nowNanos += TimeUnit.MILLISECONDS.toNanos(310);
        nodes[0].engine.tick(nowNanos);
        pump();
        if (nodes[0].engine.role() != Role.LEADER) {
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
        while (leader.commitIndex() < last) {
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
                    progress = true;
                }
            }
            RaftMessage m;
            while ((m = inFlight.poll()) != null) {
                nodes[m.to() - 1].engine.onMessage(m);
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
            keepFrom = Math.min(keepFrom, n.engine.commitIndex() + 1);
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

    /** One engine and its in-memory log. */
    final class Node implements EngineOutput {
        final RaftEngine engine;
        final EntryCache log = new EntryCache(1 << 20, 1024);
        final int maxBytesPerAppend;
        long appended;
        long reportedFlushed;
        long committed;

        Node(RaftConfig config, long seed) {
            // node 1 times out first: its jitter source always yields the minimum timeout
            this.engine = new RaftEngine(config, seed == 1 ? new MinimumRandom() : new SplittableRandom(seed), this);
            this.maxBytesPerAppend = config.maxBytesPerAppend();
        }

        @Override
        public void persistVote(long term, int votedFor) {
            // durable at once: no IO
        }

        @Override
        public void appendToLog(EntryBatch entries, int fromPosition, int toPosition) {
            log.append(entries, fromPosition, toPosition);
            appended = log.lastIndex();
        }

        @Override
        public void truncateLog(long fromIndex) {
            log.truncateFrom(fromIndex);
            appended = Math.min(appended, fromIndex - 1);
            reportedFlushed = Math.min(reportedFlushed, fromIndex - 1);
        }

        @Override
        public void send(RaftMessage message) {
            enqueue(message);
        }

        @Override
        public long sendAppendEntries(AppendEntriesRequest request, long fromIndex, long toIndexMax) {
            log.copyTo(request.entries(), fromIndex, toIndexMax, maxBytesPerAppend);
            enqueue(request);
            return request.entries().lastIndex();
        }

        @Override
        public void committed(long commitIndex) {
            committed = commitIndex;
        }

        @Override
        public void leadershipLost(long term) {
            throw new IllegalStateException("node " + engine.selfId() + " lost leadership of term " + term);
        }

        @Override
        public void stateChanged() {
            // nothing to publish
        }

        @Override
        public void purgeLog(LogId upTo) {
            throw noSnapshots();
        }

        @Override
        public void abortSnapshotBuild() {
            throw noSnapshots();
        }

        @Override
        public void beginSnapshot(SnapshotMeta meta) {
            throw noSnapshots();
        }

        @Override
        public long writeSnapshotChunk(long position, DirectBuffer data, int length) {
            throw noSnapshots();
        }

        @Override
        public void abortSnapshot() {
            throw noSnapshots();
        }

        @Override
        public boolean installSnapshot(SnapshotMeta meta) {
            throw noSnapshots();
        }

        @Override
        public void sendSnapshotChunk(InstallSnapshotRequest request, int length) {
            throw noSnapshots();
        }

        private IllegalStateException noSnapshots() {
            return new IllegalStateException("node " + engine.selfId() + ": the benchmark cluster never builds or sends snapshots");
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
