package dev.raft.testkit.simulation;

import dev.raft.api.RaftNode;
import dev.raft.api.ReadPolicy;
import dev.raft.api.error.NotLeaderException;
import dev.raft.api.error.RaftException;
import dev.raft.testkit.linearizability.History;
import dev.raft.testkit.linearizability.HistoryRecorder;
import dev.raft.testkit.linearizability.KvInput;
import dev.raft.testkit.linearizability.KvOutput;
import dev.raft.testkit.statemachine.KvStateMachine;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;

/**
 * The clients of a simulation: each has at most one get, put or compare-and-set in flight on the
 * {@link KvStateMachine} of the node it believes leads, and records it with a {@link HistoryRecorder} on the
 * simulated clock. Outcomes: an answer → ok; {@link NotLeaderException} (refused before being proposed) → failed,
 * and the client follows the leader hint; anything else (leadership lost, node closed, the simulated timeout)
 * → unknown: the operation stays pending in the history and the client continues under a new client id.
 *
 * <p>Gets go through the log (a proposal) or without it ({@link RaftNode#read}) with
 * {@link ReadPolicy#LINEARIZABLE_READ_INDEX} or {@link ReadPolicy#LEASE}, on any node (a follower serves a
 * follower read): every one is part of the checked history, and a read that fails (it changed nothing) is
 * recorded as failed. {@link ReadPolicy#SERIALIZABLE} reads are issued too but left out of the history (they
 * may be stale by design).
 */
final class KvClients {
    private static final String[] KEYS = {"a", "b", "c"};
    private static final long TIMEOUT_NANOS = 400_000_000L;

    private final SplittableRandom random;
    private final int nodes;
    private final HistoryRecorder<KvInput, KvOutput> recorder;
    private final LongSupplier clock;
    private final Client[] clients;
    private int nextClientId;
    private int nextValue;
    private long invoked;
    private long ok;
    private long unknown;
    private long reads;

    /** One client: its current history id and its operation in flight. */
    private static final class Client {
        int historyId;
        int target;
        HistoryRecorder.Call<KvInput, KvOutput> call;
        KvInput input;
        CompletableFuture<byte[]> future;
        /** The policy of a get without the log, or null (through the log, or not a get). */
        ReadPolicy readPolicy;
        long deadline;
        String lastSeen;
    }

    KvClients(SplittableRandom random, int clients, int nodes, LongSupplier clock) {
        this.random = random;
        this.nodes = nodes;
        this.clock = clock;
        this.recorder = new HistoryRecorder<>(clock);
        this.clients = new Client[clients];
        for (int i = 0; i < clients; i++) {
            final Client c = new Client();
            c.historyId = nextClientId++;
            c.target = 1 + random.nextInt(nodes);
            this.clients[i] = c;
        }
    }

    /** Lets each idle client start an operation with probability {@code rate}, on the node {@code nodeById} gives. */
    void issue(double rate, IntFunction<RaftNode> nodeById) {
        for (Client c : clients) {
            if (c.call != null || random.nextDouble() >= rate) {
                continue;
            }
            RaftNode node = nodeById.apply(c.target);
            if (node == null) { // crashed: try another node
                c.target = 1 + random.nextInt(nodes);
                node = nodeById.apply(c.target);
                if (node == null) {
                    continue;
                }
            }
            final String key = KEYS[random.nextInt(KEYS.length)];
            final int kind = random.nextInt(10);
            final byte[] command;
            c.readPolicy = null;
            if (kind < 4) {
                c.input = KvInput.get(key);
                command = KvStateMachine.get(key);
                final int path = random.nextInt(8);
                if (path == 0) {
                    node.read(ReadPolicy.SERIALIZABLE, command); // stale by design: not part of the history
                }
                c.readPolicy = path < 3 ? null : path < 6 ? ReadPolicy.LINEARIZABLE_READ_INDEX : ReadPolicy.LEASE;
                if (c.readPolicy != null) {
                    c.target = 1 + random.nextInt(nodes); // any node: followers serve follower reads
                    final RaftNode reader = nodeById.apply(c.target);
                    if (reader != null) {
                        node = reader;
                    }
                }
            } else if (kind < 7) {
                c.input = KvInput.put(key, "v" + nextValue++);
                command = KvStateMachine.put(key, bytes(c.input.value()));
            } else {
                final String expected = random.nextInt(4) == 0 ? null : c.lastSeen;
                c.input = KvInput.cas(key, expected, "v" + nextValue++);
                command = KvStateMachine.cas(key, expected == null ? null : bytes(expected), bytes(c.input.value()));
            }
            invoked++;
            c.call = recorder.invoke(c.historyId, c.input);
            c.deadline = clock.getAsLong() + TIMEOUT_NANOS;
            c.future = c.readPolicy != null ? node.read(c.readPolicy, command) : node.propose(command);
            if (c.readPolicy != null) {
                reads++;
            }
        }
    }

    /** Records the outcome of every operation that completed or timed out; returns a hash of what it recorded. */
    long poll() {
        long hash = 0;
        for (Client c : clients) {
            if (c.call == null) {
                continue;
            }
            if (c.future.isDone()) {
                hash = hash * 31 + complete(c);
            } else if (clock.getAsLong() - c.deadline >= 0) {
                abandon(c);
                hash = hash * 31 + 7;
            }
        }
        return hash;
    }

    private int complete(Client c) {
        final byte[] response;
        try {
            response = c.future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof NotLeaderException notLeader) {
                c.call.fail();
                c.call = null;
                final int hint = notLeader.leaderHint();
                c.target = hint >= 1 && hint <= nodes ? hint : 1 + random.nextInt(nodes);
                return 3;
            }
            if (e.getCause() != null && e.getCause().getClass() == RaftException.class) { // queue full: never queued
                c.call.fail();
                c.call = null;
                return 4;
            }
            if (c.readPolicy != null && e.getCause() instanceof RaftException) {
                c.call.fail(); // a read that was not served changed nothing
                c.call = null;
                c.target = 1 + random.nextInt(nodes);
                return 6;
            }
            abandon(c);
            c.target = 1 + random.nextInt(nodes);
            return 5;
        }
        final KvOutput output = switch (c.input.kind()) {
            case GET -> KvOutput.read(response.length == 0 ? null : new String(response, StandardCharsets.UTF_8));
            case CAS -> KvOutput.cas(KvStateMachine.swapped(response));
            case PUT, DELETE -> KvOutput.OK;
        };
        c.lastSeen = c.input.kind() == KvInput.Kind.GET ? output.value()
            : output.swapped() ? c.input.value() : c.lastSeen;
        c.call.ok(output);
        c.call = null;
        ok++;
        return 1 + (output.swapped() ? 1 : 0) + (output.value() == null ? 0 : output.value().hashCode());
    }

    /** Leaves the operation pending (outcome unknown); the client goes on under a new id. */
    private void abandon(Client c) {
        c.call = null;
        c.future = null;
        c.historyId = nextClientId++;
        unknown++;
    }

    History<KvInput, KvOutput> history() {
        return recorder.history();
    }

    long invoked() {
        return invoked;
    }

    long ok() {
        return ok;
    }

    long unknown() {
        return unknown;
    }

    /** Gets issued without the log (ReadIndex or lease, checked). */
    long reads() {
        return reads;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
