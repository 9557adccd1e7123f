package dev.raft.testkit.conformance;

import dev.raft.api.Entry;
import dev.raft.api.EntryBatch;
import dev.raft.api.LogId;
import dev.raft.api.storage.FlushCallback;
import dev.raft.api.storage.LogStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Reader threads call {@link LogStore#read} while the writer appends, truncates and purges, for a bounded
 * time. A reader must never see a torn entry (each entry's content is a function of its id), an entry that
 * was never appended, or one removed by a truncation or purge that returned before the read began.
 */
final class ConcurrentReadRun {
    private static final FlushCallback IGNORE = index -> { };

    private final LogStore store;
    private final OpLog log;
    private final long seed;
    private final Set<LogId> appended = ConcurrentHashMap.newKeySet();
    /** Id of a removed entry -> the writer sequence number at which its removal had returned. */
    private final Map<LogId, Long> removedAt = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicReference<String> violation = new AtomicReference<>();
    private final AtomicLong readsChecked = new AtomicLong();
    private volatile long low = 1;
    private volatile long high;
    private volatile boolean stop;

    ConcurrentReadRun(LogStore store, OpLog log, long seed) {
        this.store = store;
        this.log = log;
        this.seed = seed;
    }

    /** Runs the writer on this thread and {@code readers} reader threads for {@code millis}. */
    void run(int readers, long millis) throws InterruptedException {
        final List<Thread> threads = new ArrayList<>();
        for (int r = 0; r < readers; r++) {
            final long readerSeed = seed * 31 + r;
            final Thread t = new Thread(() -> readLoop(readerSeed), "conformance-reader-" + r);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        try {
            writeLoop(TimeUnit.MILLISECONDS.toNanos(millis));
        } catch (RuntimeException e) {
            throw log.failure(StorageContracts.LOG_ALLOWED, "the writer's last call threw " + e, e);
        } finally {
            stop = true;
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(10));
            }
        }
        final String seen = violation.get();
        if (seen != null) {
            throw log.failure(StorageContracts.READ_CONCURRENT, seen, null);
        }
        for (Thread t : threads) {
            log.check(!t.isAlive(), StorageContracts.READ_CONCURRENT, t.getName() + " is still inside read 10 s after the run ended");
        }
        log.check(readsChecked.get() > 0, StorageContracts.READ_CONCURRENT, "no concurrent read returned an entry");
    }

    private void writeLoop(long nanos) {
        final SplittableRandom random = new SplittableRandom(seed);
        final long deadline = System.nanoTime() + nanos;
        long term = 1;
        long last = 0;
        LogId purged = LogId.NONE;
        final List<Long> terms = new ArrayList<>();
        while (System.nanoTime() < deadline && violation.get() == null) {
            final int op = random.nextInt(100);
            if (op < 70 || last - purged.index() < 10) {
                final int count = 1 + random.nextInt(8);
                final EntryBatch batch = Entries.batch(term, last + 1, count);
                for (int i = 0; i < count; i++) {
                    appended.add(LogId.of(term, last + 1 + i));
                    terms.add(term);
                }
                log.add("append " + Entries.describe(batch));
                store.append(batch, IGNORE);
                last += count;
            } else if (op < 90) {
                final long from = Math.max(purged.index() + 1, last - random.nextInt(10));
                log.add("truncateFrom(" + from + ")");
                final long next = sequence.get() + 1;
                store.truncateFrom(from);
                for (long i = from; i <= last; i++) {
                    removedAt.put(LogId.of(terms.get((int) (i - purged.index() - 1)), i), next);
                }
                terms.subList((int) (from - purged.index() - 1), terms.size()).clear();
                last = from - 1;
                term++;
            } else {
                final long upTo = purged.index() + 1 + random.nextInt((int) (last - purged.index()) / 2);
                final LogId id = LogId.of(terms.get((int) (upTo - purged.index() - 1)), upTo);
                log.add("purgeUpTo(" + id + ")");
                final long next = sequence.get() + 1;
                store.purgeUpTo(id);
                for (long i = purged.index() + 1; i <= upTo; i++) {
                    removedAt.put(LogId.of(terms.get((int) (i - purged.index() - 1)), i), next);
                }
                terms.subList(0, (int) (upTo - purged.index())).clear();
                purged = id;
                low = upTo + 1;
            }
            high = last;
            sequence.incrementAndGet();
        }
    }

    private void readLoop(long readerSeed) {
        final SplittableRandom random = new SplittableRandom(readerSeed);
        final EntryBatch dst = new EntryBatch(4096);
        while (!stop && violation.get() == null) {
            final long lo = low;
            final long hi = high;
            if (hi < lo) {
                Thread.onSpinWait();
                continue;
            }
            final long from = lo + random.nextLong(hi - lo + 1);
            final long to = from + 1 + random.nextInt((int) Math.min(16, hi - from + 1));
            final long before = sequence.get();
            dst.clear();
            try {
                store.read(from, to, random.nextBoolean() ? Integer.MAX_VALUE : 1 + random.nextInt(256), dst);
            } catch (IllegalArgumentException rangeGoneMeanwhile) {
                continue;
            } catch (RuntimeException e) {
                violation.compareAndSet(null, "read(" + from + ", " + to + ") threw " + e);
                return;
            }
            for (int i = 0; i < dst.size(); i++) {
                final Entry got = dst.entry(i).toEntry();
                final String problem = check(got, from + i, before);
                if (problem != null) {
                    violation.compareAndSet(null, Thread.currentThread().getName() + ": read(" + from + ", " + to + ") "
                        + problem);
                    return;
                }
            }
            readsChecked.incrementAndGet();
        }
    }

    private String check(Entry got, long expectedIndex, long sequenceBefore) {
        if (got.index() != expectedIndex) {
            return "returned index " + got.index() + " where " + expectedIndex + " belongs";
        }
        if (!appended.contains(got.logId())) {
            return "returned " + got + ", which was never appended (phantom)";
        }
        if (!Entries.of(got.term(), got.index()).equals(got)) {
            return "returned a torn " + got + ": its content is not what was appended as " + Entries.of(got.term(), got.index());
        }
        final Long removed = removedAt.get(got.logId());
        if (removed != null && removed <= sequenceBefore) {
            return "returned " + got + ", removed by a truncate or purge that returned before the read began";
        }
        return null;
    }
}
