package dev.raft.testkit.linearizability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The recorder: times, outcomes, misuse, and recording from many threads. */
@Timeout(60)
public class HistoryRecorderTest {

    @Test
    public void defaultClockOrdersEventsAsObserved() {
        HistoryRecorder<KvInput, KvOutput> recorder = new HistoryRecorder<>();
        HistoryRecorder.Call<KvInput, KvOutput> a = recorder.invoke(0, KvInput.put("x", "1"));
        HistoryRecorder.Call<KvInput, KvOutput> b = recorder.invoke(1, KvInput.get("x"));
        a.ok(KvOutput.OK);
        b.ok(KvOutput.read("1"));
        List<Operation<KvInput, KvOutput>> ops = recorder.history().operations();
        assertEquals(List.of(1L, 2L), List.of(ops.get(0).callTime(), ops.get(1).callTime()));
        assertEquals(List.of(3L, 4L), List.of(ops.get(0).returnTime(), ops.get(1).returnTime()));
        assertEquals(0, ops.get(0).clientId());
        assertEquals(KvInput.get("x"), ops.get(1).input());
    }

    @Test
    public void injectedClockGivesTheTimes() {
        long[] now = {100};
        HistoryRecorder<KvInput, KvOutput> recorder = new HistoryRecorder<>(() -> now[0]);
        HistoryRecorder.Call<KvInput, KvOutput> call = recorder.invoke(3, KvInput.get("x"));
        now[0] = 250;
        call.ok(KvOutput.read(null));
        Operation<KvInput, KvOutput> op = recorder.history().operations().get(0);
        assertEquals(100, op.callTime());
        assertEquals(250, op.returnTime());
    }

    @Test
    public void eventsInTheSameTickKeepTheirOrder() {
        long[] now = {7};
        HistoryRecorder<KvInput, KvOutput> recorder = new HistoryRecorder<>(() -> now[0]);
        recorder.invoke(0, KvInput.put("x", "1")).ok(KvOutput.OK);
        recorder.invoke(1, KvInput.get("x")).ok(KvOutput.read(null));
        List<Operation<KvInput, KvOutput>> ops = recorder.history().operations();
        assertEquals(List.of(7L, 8L, 9L, 10L),
                List.of(ops.get(0).callTime(), ops.get(0).returnTime(), ops.get(1).callTime(), ops.get(1).returnTime()));
        // The read began after the write returned, although in the same tick: a stale read.
        assertEquals(Verdict.NOT_LINEARIZABLE,
                LinearizabilityChecker.forModel(new KvModel()).check(recorder.history()).verdict());
        now[0] = 100;
        recorder.invoke(2, KvInput.get("x"));
        assertEquals(100, recorder.history().operations().get(2).callTime());
    }

    @Test
    public void clockGoingBackwardsIsRejected() {
        long[] now = {100};
        HistoryRecorder<KvInput, KvOutput> recorder = new HistoryRecorder<>(() -> now[0]);
        recorder.invoke(0, KvInput.get("x"));
        now[0] = 99;
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> recorder.invoke(0, KvInput.get("x")));
        assertTrue(e.getMessage().contains("from 100 to 99"), e.getMessage());
    }

    @Test
    public void completingTwiceIsRejected() {
        HistoryRecorder<KvInput, KvOutput> recorder = new HistoryRecorder<>();
        HistoryRecorder.Call<KvInput, KvOutput> call = recorder.invoke(4, KvInput.put("x", "1"));
        call.ok(KvOutput.OK);
        IllegalStateException e = assertThrows(IllegalStateException.class, call::fail);
        assertTrue(e.getMessage().contains("operation 0 of client 4"), e.getMessage());
        assertTrue(e.getMessage().contains("already completed as OK"), e.getMessage());
    }

    @Test
    public void historySnapshotsShowOpenCallsAsPending() {
        HistoryRecorder<KvInput, KvOutput> recorder = new HistoryRecorder<>();
        HistoryRecorder.Call<KvInput, KvOutput> call = recorder.invoke(0, KvInput.put("x", "1"));
        assertTrue(recorder.history().operations().get(0).isPending());
        call.ok(KvOutput.OK);
        assertFalse(recorder.history().operations().get(0).isPending());
        assertTrue(recorder.history().render(new KvModel()).contains("put(x, 1) -> ok"));
    }

    @Test
    public void invalidOperationsAreRejectedWithTheirId() {
        IllegalArgumentException inverted = assertThrows(IllegalArgumentException.class,
                () -> Operation.completed(5, 1, KvInput.get("x"), KvOutput.read(null), 10, 9));
        assertTrue(inverted.getMessage().contains("operation 5 of client 1"), inverted.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new Operation<>(6, 1, KvInput.get("x"), KvOutput.read("a"), 0, Operation.PENDING_RETURN_TIME));
        assertThrows(IllegalArgumentException.class, () -> new Operation<>(7, 1, KvInput.get("x"), null, 0, 5));
        IllegalArgumentException duplicate = assertThrows(IllegalArgumentException.class, () -> new History<>(List.of(
                Operation.pending(3, 0, KvInput.get("x"), 0), Operation.pending(3, 1, KvInput.get("y"), 1))));
        assertTrue(duplicate.getMessage().contains("id 3"), duplicate.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KvInput.put("x", null));
        assertThrows(IllegalArgumentException.class, () -> new KvInput(KvInput.Kind.GET, "x", null, "e"));
    }

    /** Threads using an atomic store through the recorder always produce a linearizable history. */
    @Test
    public void recordingFromManyThreadsAgainstAnAtomicStoreIsLinearizable() throws Exception {
        HistoryRecorder<KvInput, KvOutput> recorder = new HistoryRecorder<>();
        Map<String, String> store = new HashMap<>();
        int threads = 4;
        CountDownLatch start = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int client = t;
            Thread worker = new Thread(() -> {
                SplittableRandom random = new SplittableRandom(client);
                try {
                    start.await();
                    for (int i = 0; i < 1_000; i++) {
                        String key = "k" + random.nextInt(3);
                        KvInput input = switch (random.nextInt(3)) {
                            case 0 -> KvInput.get(key);
                            case 1 -> KvInput.put(key, client + "-" + i);
                            default -> KvInput.cas(key, "0-" + random.nextInt(i + 1), client + "-" + i);
                        };
                        HistoryRecorder.Call<KvInput, KvOutput> call = recorder.invoke(client, input);
                        KvOutput output;
                        synchronized (store) {
                            output = apply(store, input);
                        }
                        call.ok(output);
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            }, "recorder-client-" + t);
            workers.add(worker);
            worker.start();
        }
        start.countDown();
        for (Thread worker : workers) {
            worker.join();
        }
        assertEquals(null, failure.get());
        History<KvInput, KvOutput> history = recorder.history();
        assertEquals(threads * 1_000, history.size());
        CheckResult<KvInput, KvOutput> result = LinearizabilityChecker.forModel(new KvModel()).check(history);
        assertTrue(result.isLinearizable(), result::report);
    }

    private static KvOutput apply(Map<String, String> store, KvInput input) {
        return switch (input.kind()) {
            case GET -> KvOutput.read(store.get(input.key()));
            case PUT -> {
                store.put(input.key(), input.value());
                yield KvOutput.OK;
            }
            case DELETE -> {
                store.remove(input.key());
                yield KvOutput.OK;
            }
            case CAS -> {
                boolean swapped = Objects.equals(store.get(input.key()), input.expected());
                if (swapped) {
                    store.put(input.key(), input.value());
                }
                yield KvOutput.cas(swapped);
            }
        };
    }
}
