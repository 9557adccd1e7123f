package dev.raft.examples.soak;

import dev.raft.api.Role;
import dev.raft.examples.kv.KvClient;
import dev.raft.examples.kv.KvOutcome;
import dev.raft.examples.kv.KvResult;
import dev.raft.testkit.linearizability.KvInput;
import dev.raft.testkit.linearizability.KvOutput;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The soak's only view of the client library: executes one {@link KvInput} and says what became of it,
 * OK (with the answer), FAILED (definitely not applied) or UNKNOWN (may have been applied), and asks one node
 * for its status. Adapting the soak to a new client API changes this class only.
 *
 * <p>{@link KvClient}'s {@link KvOutcome} maps one to one (a MALFORMED result is FAILED: the state did not change).
 * One instance per client thread, as separate client processes would be.
 */
final class SoakClient implements AutoCloseable {
    /** What became of one operation. */
    enum Outcome { OK, FAILED, UNKNOWN }

    /**
     * One operation's result.
     *
     * @param outcome what became of it
     * @param output  the answer when OK, else null
     * @param detail  why it failed or is unknown, else empty
     */
    record Result(Outcome outcome, KvOutput output, String detail) {
    }

    /** A node's status as it reported it. */
    record NodeStatus(int nodeId, Role role, long term, int leaderId, long lastLogIndex, long committedIndex,
                      long appliedIndex) {
    }

    private final KvClient client;

    SoakClient(Map<Integer, String> endpoints) {
        client = new KvClient(endpoints, "127.0.0.1");
    }

    Result execute(KvInput input, Duration timeout) throws InterruptedException {
        final KvOutcome outcome = switch (input.kind()) {
            case GET -> client.get(input.key(), timeout);
            case PUT -> client.put(input.key(), bytes(input.value()), timeout);
            case DELETE -> client.delete(input.key(), timeout);
            case CAS -> client.compareAndSet(input.key(), input.expected() == null ? null : bytes(input.expected()),
                bytes(input.value()), timeout);
        };
        if (Thread.interrupted()) {
            throw new InterruptedException("soak client interrupted during " + input);
        }
        if (outcome instanceof KvOutcome.Failed failed) {
            return new Result(Outcome.FAILED, null, failed.describe());
        }
        if (outcome instanceof KvOutcome.Unknown unknown) {
            return new Result(Outcome.UNKNOWN, null, unknown.describe());
        }
        final KvResult result = ((KvOutcome.Ok) outcome).result();
        if (result.status() == KvResult.Status.MALFORMED) {
            return new Result(Outcome.FAILED, null, "MALFORMED");
        }
        final KvOutput output = switch (input.kind()) {
            case GET -> KvOutput.read(result.status() == KvResult.Status.OK ? result.valueText() : null);
            case PUT, DELETE -> KvOutput.OK;
            case CAS -> KvOutput.cas(result.status() == KvResult.Status.OK);
        };
        return new Result(Outcome.OK, output, "");
    }

    Optional<NodeStatus> status(int nodeId, Duration timeout) {
        return client.status(nodeId, timeout).map(r -> new NodeStatus(r.nodeId(), r.role(), r.term(), r.leaderId(),
            r.lastLogIndex(), r.committedIndex(), r.appliedIndex()));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        client.close();
    }
}
