package dev.raft.core.internal.engine;

import dev.raft.api.Role;
import dev.raft.api.Vote;
import dev.raft.api.config.RaftConfig;
import dev.raft.api.message.RaftMessage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/** Several {@link TestNode}s wired by hand: one thread, manual time, per-node isolation. */
final class TestNet {
    final Map<Integer, TestNode> nodes = new LinkedHashMap<>();
    final Set<Integer> isolated = new HashSet<>();
    /** Nodes that hear nothing (messages to them are dropped) but whose own messages still arrive: one-way loss. */
    final Set<Integer> deaf = new HashSet<>();

    TestNet(int size, UnaryOperator<RaftConfig.Builder> tweak) {
        this(size, tweak, 1000);
    }

    /** Nodes 1..size, node {@code id}'s timers seeded with {@code seedBase + id}. */
    TestNet(int size, UnaryOperator<RaftConfig.Builder> tweak, long seedBase) {
        final int[] ids = new int[size];
        for (int i = 0; i < size; i++) {
            ids[i] = i + 1;
        }
        for (int id : ids) {
            nodes.put(id, new TestNode(tweak.apply(TestNode.config(id, ids)).build(), seedBase + id).start(Vote.INITIAL));
        }
    }

    /** Adds a node (for example one joining as a learner), started by the caller. */
    TestNode add(TestNode node) {
        nodes.put(node.config.nodeId(), node);
        return node;
    }

    TestNode node(int id) {
        return nodes.get(id);
    }

    /** Flushes every log and delivers messages until quiet (messages to or from isolated nodes are dropped). */
    void settle() {
        List<RaftMessage> last = List.of();
        for (int round = 0; round < 10_000; round++) {
            boolean any = false;
            for (TestNode n : nodes.values()) {
                n.flushAll();
            }
            final List<RaftMessage> batch = new ArrayList<>();
            for (TestNode n : nodes.values()) {
                batch.addAll(n.takeSent(null));
            }
            for (RaftMessage m : batch) {
                any = true;
                if (!isolated.contains(m.from()) && !isolated.contains(m.to()) && !deaf.contains(m.to())
                    && nodes.containsKey(m.to())) {
                    nodes.get(m.to()).receive(m);
                }
            }
            if (!any) {
                return;
            }
            last = batch;
        }
        throw new AssertionError("TestNet did not settle; the last messages: " + last);
    }

    /** Advances every clock by {@code millis} in 10 ms steps, settling after each. */
    void run(long millis) {
        for (long t = 0; t < millis; t += 10) {
            for (TestNode n : nodes.values()) {
                n.advanceMillis(10);
            }
            settle();
        }
    }

    int leader() {
        int leader = 0;
        for (TestNode n : nodes.values()) {
            if (n.engine.role() == Role.LEADER && !isolated.contains(n.config.nodeId())) {
                leader = n.config.nodeId();
            }
        }
        return leader;
    }

    /** Runs until a leader is elected (at most 5 s of simulated time). */
    int electLeader() {
        for (int i = 0; i < 500; i++) {
            run(10);
            if (leader() != 0) {
                return leader();
            }
        }
        throw new AssertionError("no leader elected");
    }
}
