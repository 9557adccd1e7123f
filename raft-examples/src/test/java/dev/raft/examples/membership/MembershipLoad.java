package dev.raft.examples.membership;

import dev.raft.api.Role;
import dev.raft.examples.kv.KvClient;
import dev.raft.examples.kv.KvOutcome;
import dev.raft.examples.kv.KvResult;
import dev.raft.testkit.linearizability.CheckResult;
import dev.raft.testkit.linearizability.HistoryRecorder;
import dev.raft.testkit.linearizability.KvInput;
import dev.raft.testkit.linearizability.KvModel;
import dev.raft.testkit.linearizability.KvOutput;
import dev.raft.testkit.linearizability.LinearizabilityChecker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A continuous write load on a real cluster while its membership changes, recorded as a history for the
 * testkit's {@link LinearizabilityChecker}: a few threads, each with its own {@link KvClient} (as separate client
 * processes would be) that knows every endpoint the test may use, doing puts, gets and compare-and-sets on a few
 * keys; an operation whose outcome is unknown stays pending in the history (it may or may not have happened). A
 * monitor asks every node for its status every 20 ms and records which nodes said they lead in which term.
 */
final class MembershipLoad implements AutoCloseable {
    private static final String[] KEYS = {"k0", "k1", "k2", "k3"};
    private static final Duration OP_TIMEOUT = Duration.ofSeconds(10);

    private final Map<Integer, String> endpoints;
    private final HistoryRecorder<KvInput, KvOutput> recorder = new HistoryRecorder<>(System::nanoTime);
    private final Map<Long, Set<Integer>> leadersByTerm = new ConcurrentHashMap<>();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong unknown = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();
    private final List<KvClient> clients = new ArrayList<>();
    private volatile boolean running;

    MembershipLoad(Map<Integer, String> endpoints) {
        this.endpoints = Map.copyOf(endpoints);
    }

    /** Starts {@code writers} writer threads and the leader monitor. */
    void start(int writers, long seed) {
        running = true;
        for (int t = 0; t < writers; t++) {
            final KvClient client = client();
            final int index = t;
            threads.add(daemon("membership-load-" + t, () -> write(index, client, seed)));
        }
        final KvClient monitor = client();
        threads.add(daemon("membership-monitor", () -> monitor(monitor)));
    }

    private static Thread daemon(String name, Runnable body) {
        final Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private synchronized KvClient client() {
        final KvClient client = KvClient.builder(endpoints).replyHost("127.0.0.1").suspectAfter(Duration.ofSeconds(2)).build();
        clients.add(client);
        return client;
    }

    private void write(int index, KvClient client, long seed) {
        final Random random = new Random(seed * 31 + index);
        final Map<String, String> lastSeen = new TreeMap<>();
        long sequence = 0;
        while (running) {
            final String key = KEYS[random.nextInt(KEYS.length)];
            final String value = "v" + index + "-" + (++sequence);
            final int dice = random.nextInt(10);
            final KvInput input = dice < 5 ? KvInput.put(key, value) : dice < 8 ? KvInput.get(key)
                : KvInput.cas(key, lastSeen.get(key), value);
            final HistoryRecorder.Call<KvInput, KvOutput> call = recorder.invoke(1 + index, input);
            final KvOutput output = execute(client, input, call);
            if (output != null && input.kind() == KvInput.Kind.GET) {
                lastSeen.put(key, output.value());
            } else if (output != null && output.swapped()) {
                lastSeen.put(key, value);
            }
        }
    }

    /** Runs one operation and records its outcome; returns its output if it is known to have happened. */
    private KvOutput execute(KvClient client, KvInput input, HistoryRecorder.Call<KvInput, KvOutput> call) {
        final KvOutcome outcome = switch (input.kind()) {
            case GET -> client.get(input.key(), OP_TIMEOUT);
            case PUT -> client.put(input.key(), bytes(input.value()), OP_TIMEOUT);
            case DELETE -> client.delete(input.key(), OP_TIMEOUT);
            case CAS -> client.compareAndSet(input.key(), input.expected() == null ? null : bytes(input.expected()),
                bytes(input.value()), OP_TIMEOUT);
        };
        if (outcome instanceof KvOutcome.Failed) {
            call.fail();
            return null;
        }
        if (outcome instanceof KvOutcome.Unknown) {
            unknown.incrementAndGet();
            return null; // pending: it may have happened
        }
        final KvResult result = ((KvOutcome.Ok) outcome).result();
        final KvOutput output = switch (input.kind()) {
            case GET -> KvOutput.read(result.status() == KvResult.Status.OK ? result.valueText() : null);
            case PUT, DELETE -> KvOutput.OK;
            case CAS -> KvOutput.cas(result.status() == KvResult.Status.OK);
        };
        call.ok(output);
        if (input.kind() != KvInput.Kind.GET) {
            acknowledged.incrementAndGet();
        }
        return output;
    }

    private void monitor(KvClient client) {
        while (running) {
            for (Map.Entry<Integer, Optional<KvClient.Response>> e : client.statusOfAll(Duration.ofMillis(100)).entrySet()) {
                e.getValue().filter(r -> r.role() == Role.LEADER).ifPresent(r ->
                    leadersByTerm.computeIfAbsent(r.term(), t -> ConcurrentHashMap.newKeySet()).add(r.nodeId()));
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Writes acknowledged so far. */
    long acknowledgedWrites() {
        return acknowledged.get();
    }

    /** Stops the threads after their current operation, then reads every key once more (recorded). */
    void stopAndReadAll() throws InterruptedException {
        running = false;
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(30));
            if (t.isAlive()) {
                throw new IllegalStateException(t.getName() + " did not finish within 30 s");
            }
        }
        final KvClient reader = client();
        for (String key : KEYS) {
            final KvInput input = KvInput.get(key);
            final HistoryRecorder.Call<KvInput, KvOutput> call = recorder.invoke(100, input);
            if (execute(reader, input, call) == null) {
                throw new AssertionError("the final read of " + key + " did not succeed");
            }
        }
    }

    /** Terms in which more than one node said it led, with those nodes; empty if none. */
    Map<Long, Set<Integer>> termsWithTwoLeaders() {
        final Map<Long, Set<Integer>> two = new TreeMap<>();
        leadersByTerm.forEach((term, ids) -> {
            if (ids.size() > 1) {
                two.put(term, new TreeSet<>(ids));
            }
        });
        return two;
    }

    /** The number of terms a leader was seen in. */
    int termsSeen() {
        return leadersByTerm.size();
    }

    /** Checks the recorded history (with the final reads): no acknowledged write lost, every read explained. */
    CheckResult<KvInput, KvOutput> check() {
        return LinearizabilityChecker.forModel(new KvModel()).withTimeout(Duration.ofSeconds(60)).check(recorder.history());
    }

    /** A one-line summary of the load. */
    String summary() {
        return recorder.history().operations().size() + " operations, " + acknowledged.get() + " acknowledged writes, "
            + unknown.get() + " unknown outcomes, leaders seen in " + leadersByTerm.size() + " terms";
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        running = false;
        for (Thread t : threads) {
            t.interrupt();
        }
        for (Thread t : threads) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(15));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            clients.forEach(KvClient::close);
        }
    }
}
