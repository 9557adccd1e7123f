package dev.raft.testkit.linearizability;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Generates the history of clients using a correct (atomic, hence linearizable) key-value store,
 * from a seed: every client has one operation in flight at a time, the steps of different clients
 * (call, atomic apply, return) interleave at random, some operations fail before being applied and
 * some time out before or after being applied. Every written value is unique. Optionally one read
 * is answered with a stale value: one overwritten by a write that completed before the read began.
 */
final class SimulatedKvWorkload {

    /** The generated history and, if a stale read was injected, its operation id (else -1). */
    record Result(History<KvInput, KvOutput> history, int staleReadId, String staleReadKey) {
    }

    private enum Phase { IDLE, CALLED, APPLIED }

    private record Write(String value, long callTime, long returnTime) {
    }

    private static final class Client {
        Phase phase = Phase.IDLE;
        HistoryRecorder.Call<KvInput, KvOutput> call;
        KvInput input;
        KvOutput output;
        long callTime;
        boolean effectiveWrite;
    }

    private final SplittableRandom random;
    private final int operations;
    private final int keys;
    private final boolean injectStaleRead;
    private final Client[] clients;
    private final Map<String, String> store = new HashMap<>();
    private final Map<String, List<Write>> completedWrites = new HashMap<>();
    private long time;
    private int invoked;
    private int valueCounter;
    private int staleReadId = -1;
    private String staleReadKey;

    private SimulatedKvWorkload(long seed, int operations, int clients, int keys, boolean injectStaleRead) {
        this.random = new SplittableRandom(seed);
        this.operations = operations;
        this.keys = keys;
        this.injectStaleRead = injectStaleRead;
        this.clients = new Client[clients];
        for (int i = 0; i < clients; i++) {
            this.clients[i] = new Client();
        }
    }

    /**
     * Runs the workload.
     *
     * @param seed the seed; the same seed gives the same history
     * @param operations how many operations to invoke
     * @param clients how many concurrent clients
     * @param keys how many keys
     * @param injectStaleRead whether to answer one read (in the second half) with a stale value
     * @return the history
     */
    static Result generate(long seed, int operations, int clients, int keys, boolean injectStaleRead) {
        SimulatedKvWorkload workload = new SimulatedKvWorkload(seed, operations, clients, keys, injectStaleRead);
        HistoryRecorder<KvInput, KvOutput> recorder = new HistoryRecorder<>(() -> ++workload.time);
        workload.run(recorder);
        return new Result(recorder.history(), workload.staleReadId, workload.staleReadKey);
    }

    private void run(HistoryRecorder<KvInput, KvOutput> recorder) {
        while (invoked < operations || anyBusy()) {
            int id = random.nextInt(clients.length);
            Client c = clients[id];
            switch (c.phase) {
                case IDLE -> {
                    if (invoked < operations) {
                        c.input = nextInput();
                        c.call = recorder.invoke(id, c.input);
                        c.callTime = time;
                        c.phase = Phase.CALLED;
                        invoked++;
                    }
                }
                case CALLED -> {
                    int roll = random.nextInt(100);
                    if (roll < 2) {
                        c.call.fail();            // rejected before being applied
                        c.phase = Phase.IDLE;
                    } else if (roll < 3) {
                        c.phase = Phase.IDLE;     // timed out, never applied
                    } else {
                        apply(c);
                        c.phase = Phase.APPLIED;
                    }
                }
                case APPLIED -> {
                    if (random.nextInt(100) < 1) {
                        c.phase = Phase.IDLE;     // applied, but the answer was lost
                    } else {
                        c.call.ok(c.output);
                        if (c.effectiveWrite && c.input.kind() != KvInput.Kind.DELETE) {
                            completedWrites.computeIfAbsent(c.input.key(), k -> new ArrayList<>())
                                    .add(new Write(c.input.value(), c.callTime, time));
                        } else if (c.effectiveWrite) {
                            completedWrites.computeIfAbsent(c.input.key(), k -> new ArrayList<>())
                                    .add(new Write(null, c.callTime, time));
                        }
                        c.phase = Phase.IDLE;
                    }
                }
                default -> throw new IllegalStateException("unknown phase " + c.phase);
            }
        }
    }

    private boolean anyBusy() {
        for (Client c : clients) {
            if (c.phase != Phase.IDLE) {
                return true;
            }
        }
        return false;
    }

    private KvInput nextInput() {
        String key = "k" + random.nextInt(keys);
        int roll = random.nextInt(100);
        if (roll < 40) {
            return KvInput.get(key);
        } else if (roll < 70) {
            return KvInput.put(key, newValue());
        } else if (roll < 90) {
            String expected = random.nextInt(100) < 70 ? store.get(key) : "v" + random.nextInt(valueCounter + 1);
            return KvInput.cas(key, expected, newValue());
        } else {
            return KvInput.delete(key);
        }
    }

    private String newValue() {
        return "v" + (++valueCounter);
    }

    private void apply(Client c) {
        KvInput in = c.input;
        String key = in.key();
        String current = store.get(key);
        c.effectiveWrite = false;
        switch (in.kind()) {
            case GET -> {
                String stale = injectStaleRead && staleReadId < 0 && invoked > operations / 2
                        ? staleValue(key, c.callTime) : null;
                if (stale != null) {
                    staleReadId = c.call.id();
                    staleReadKey = key;
                    c.output = KvOutput.read(stale);
                } else {
                    c.output = KvOutput.read(current);
                }
            }
            case PUT -> {
                store.put(key, in.value());
                c.output = KvOutput.OK;
                c.effectiveWrite = true;
            }
            case DELETE -> {
                store.remove(key);
                c.output = KvOutput.OK;
                c.effectiveWrite = true;
            }
            case CAS -> {
                boolean swapped = Objects.equals(current, in.expected());
                if (swapped) {
                    store.put(key, in.value());
                }
                c.output = KvOutput.cas(swapped);
                c.effectiveWrite = swapped;
            }
            default -> throw new IllegalStateException("unknown kind " + in.kind());
        }
    }

    /**
     * A value of {@code key} written by a completed write P that was overwritten by a completed
     * write W called after P returned and returning before {@code readCallTime}: no linearization
     * lets a read called at {@code readCallTime} see it.
     */
    private String staleValue(String key, long readCallTime) {
        List<Write> writes = completedWrites.getOrDefault(key, List.of());
        for (int w = writes.size() - 1; w >= 0; w--) {
            Write overwrite = writes.get(w);
            if (overwrite.returnTime() >= readCallTime) {
                continue;
            }
            for (int p = w - 1; p >= 0; p--) {
                Write old = writes.get(p);
                if (old.value() != null && old.returnTime() < overwrite.callTime()
                        && !old.value().equals(overwrite.value())) {
                    return old.value();
                }
            }
        }
        return null;
    }
}
