package dev.raft.examples.soak;

import dev.raft.api.Role;
import dev.raft.examples.kv.KvClient;
import dev.raft.examples.kv.KvCommands;
import dev.raft.examples.kv.KvResult;
import dev.raft.testkit.linearizability.KvInput;
import dev.raft.testkit.linearizability.KvOutput;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * The soak's only view of the client library: executes one {@link KvInput} and says what became of it,
 * OK (with the answer), FAILED (definitely not applied) or UNKNOWN (may have been applied), and asks one node
 * for its status. Adapting the soak to a new client API changes this class only.
 *
 * <p>Today's {@link KvClient} has no outcome types: an OK answer is taken as OK, an ERROR answer and a timeout
 * as UNKNOWN (the command may have been appended before the node failed), a MALFORMED result as FAILED. One
 * instance per thread: {@link KvClient} is not thread-safe.
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
        final byte[] command = switch (input.kind()) {
            case GET -> KvCommands.get(input.key());
            case PUT -> KvCommands.put(input.key(), bytes(input.value()));
            case DELETE -> KvCommands.delete(input.key());
            case CAS -> KvCommands.compareAndSet(input.key(), input.expected() == null ? null : bytes(input.expected()),
                bytes(input.value()));
        };
        final KvClient.Response response;
        try {
            response = client.execute(command, timeout);
        } catch (TimeoutException e) {
            return new Result(Outcome.UNKNOWN, null, e.getMessage());
        }
        if (response.code() != KvClient.Response.Code.OK || response.result() == null) {
            return new Result(Outcome.UNKNOWN, null, response.code() + " from node " + response.nodeId() + ": "
                + response.message());
        }
        final KvResult result = response.result();
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
