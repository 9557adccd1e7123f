package dev.raft.examples.soak;

import dev.raft.testkit.linearizability.History;
import dev.raft.testkit.linearizability.HistoryRecorder;
import dev.raft.testkit.linearizability.KvInput;
import dev.raft.testkit.linearizability.KvOutput;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Client threads, each with its own {@link SoakClient}, doing puts of unique values, gets and compare-and-sets
 * on a few keys and recording every operation (call and return on {@link System#nanoTime()}) for the
 * linearizability checker: OK with its answer, FAILED left out, UNKNOWN left open (may have happened).
 *
 * <p>Keys rotate: every {@value #OPS_PER_KEY_EPOCH} operations of all threads move to fresh keys, so each key's
 * history stays small enough to check, as Jepsen's independent keys do. {@link KeyMode#HOT}: every thread on the
 * same two keys, no think time; {@link KeyMode#COLD}: eight keys, a pause of 10–40 ms between operations.
 */
final class Workload implements AutoCloseable {
    static final int OPS_PER_KEY_EPOCH = 400;
    private static final int CLIENT_ID_BASE = 1;

    /** How the threads pick keys. */
    enum KeyMode { HOT, COLD }

    private final Map<Integer, String> endpoints;
    private final int threads;
    private final long seed;
    private final Duration opTimeout;
    private final HistoryRecorder<KvInput, KvOutput> recorder = new HistoryRecorder<>(System::nanoTime);
    private final AtomicLong operations = new AtomicLong();
    private final Map<SoakClient.Outcome, AtomicLong> outcomes = new EnumMap<>(SoakClient.Outcome.class);
    private final Set<String> keys = new ConcurrentSkipListSet<>();
    private final Set<String> unknownSamples = new ConcurrentSkipListSet<>();
    private final List<Thread> workers = new ArrayList<>();
    private final List<SoakClient> clients = new ArrayList<>();
    private volatile KeyMode keyMode = KeyMode.HOT;
    private volatile boolean running;

    Workload(Map<Integer, String> endpoints, int threads, long seed, Duration opTimeout) {
        this.endpoints = endpoints;
        this.threads = threads;
        this.seed = seed;
        this.opTimeout = opTimeout;
        for (SoakClient.Outcome o : SoakClient.Outcome.values()) {
            outcomes.put(o, new AtomicLong());
        }
    }

    /** Starts the threads (each starts its client first). */
    void start() {
        running = true;
        for (int t = 0; t < threads; t++) {
            final SoakClient client = new SoakClient(endpoints);
            synchronized (clients) {
                clients.add(client);
            }
            final int index = t;
            final Thread worker = new Thread(() -> run(index, client), "soak-client-" + t);
            worker.setDaemon(true);
            workers.add(worker);
            worker.start();
        }
    }

    void keyMode(KeyMode mode) {
        keyMode = mode;
    }

    KeyMode keyMode() {
        return keyMode;
    }

    private void run(int index, SoakClient client) {
        final Random random = new Random(seed * 31 + index);
        final Map<String, String> lastSeen = new HashMap<>();
        long sequence = 0;
        try {
            while (running) {
                final KeyMode mode = keyMode;
                final long epoch = operations.get() / OPS_PER_KEY_EPOCH;
                final String key = mode == KeyMode.HOT ? "h" + epoch + "-" + random.nextInt(2)
                    : "c" + epoch + "-" + random.nextInt(8);
                keys.add(key);
                final String value = "v" + index + "-" + (++sequence);
                final int dice = random.nextInt(10);
                final KvInput input = dice < 4 ? KvInput.put(key, value)
                    : dice < 7 ? KvInput.get(key)
                    : KvInput.cas(key, lastSeen.get(key), value);
                final HistoryRecorder.Call<KvInput, KvOutput> call = recorder.invoke(CLIENT_ID_BASE + index, input);
                final SoakClient.Result result = client.execute(input, opTimeout);
                operations.incrementAndGet();
                outcomes.get(result.outcome()).incrementAndGet();
                switch (result.outcome()) {
                    case OK -> {
                        call.ok(result.output());
                        switch (input.kind()) {
                            case GET -> lastSeen.put(key, result.output().value());
                            case PUT -> lastSeen.put(key, value);
                            case CAS -> {
                                if (result.output().swapped()) {
                                    lastSeen.put(key, value);
                                }
                            }
                            default -> {
                            }
                        }
                    }
                    case FAILED -> call.fail();
                    case UNKNOWN -> {
                        if (unknownSamples.size() < 8) {
                            unknownSamples.add(result.detail().length() > 160 ? result.detail().substring(0, 160)
                                : result.detail());
                        }
                    }
                    default -> throw new IllegalStateException("unknown outcome " + result.outcome());
                }
                if (mode == KeyMode.COLD) {
                    Thread.sleep(10 + random.nextInt(31));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the threads after their current operation (bounded by the operation timeout). */
    void stop() throws InterruptedException {
        running = false;
        final long deadline = System.nanoTime() + opTimeout.toNanos() + TimeUnit.SECONDS.toNanos(15);
        for (Thread worker : workers) {
            worker.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (worker.isAlive()) {
                throw new IllegalStateException(worker.getName() + " did not finish its operation within "
                    + opTimeout.toMillis() + " ms + 15 s");
            }
        }
    }

    /** Records an operation done outside the threads (the final reads): its outcome is recorded as for them. */
    HistoryRecorder.Call<KvInput, KvOutput> invoke(int clientId, KvInput input) {
        return recorder.invoke(clientId, input);
    }

    History<KvInput, KvOutput> history() {
        return recorder.history();
    }

    long operations() {
        return operations.get();
    }

    Map<SoakClient.Outcome, Long> outcomes() {
        final Map<SoakClient.Outcome, Long> counts = new EnumMap<>(SoakClient.Outcome.class);
        outcomes.forEach((o, n) -> counts.put(o, n.get()));
        return counts;
    }

    /** Every key an operation was invoked on. */
    Set<String> keys() {
        return new TreeSet<>(keys);
    }

    /** A few of the reasons operations ended UNKNOWN. */
    Set<String> unknownSamples() {
        return new TreeSet<>(unknownSamples);
    }

    /** Stops the threads (if running) and closes the clients. */
    @Override
    public void close() {
        running = false;
        for (Thread worker : workers) {
            worker.interrupt();
        }
        for (Thread worker : workers) {
            try {
                worker.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (clients) {
            clients.forEach(SoakClient::close);
        }
    }
}
