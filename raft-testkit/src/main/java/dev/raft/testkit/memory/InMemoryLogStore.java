package dev.raft.testkit.memory;

import dev.raft.api.Entry;
import dev.raft.api.EntryBatch;
import dev.raft.api.LogId;
import dev.raft.api.Vote;
import dev.raft.api.storage.FlushCallback;
import dev.raft.api.storage.LogStore;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A {@link LogStore} in memory, honouring every contract of the SPI, with a controllable flush
 * ({@link FlushMode}) and crash simulation: what was reported flushed, truncations, purges and the vote
 * live on the {@link InMemoryDisk} and survive {@link #crash()}; everything else is lost.
 *
 * <p>Thread-safe: every method synchronizes on the disk; flush callbacks are called while it is held
 * (they must not block or call back into the store, as the SPI requires).
 */
public final class InMemoryLogStore implements LogStore {
    private final InMemoryDisk disk;
    private final FlushMode mode;
    private final ExecutorService flusher;
    /** Every entry held, durable or not: indexes {@code (lastPurged.index, lastPurged.index + size]}. */
    private final List<Entry> entries = new ArrayList<>();
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private LogId lastPurged;
    /** Entries up to here are on the disk (or purged). */
    private long durableIndex;
    private String deadReason;

    InMemoryLogStore(InMemoryDisk disk, FlushMode mode) {
        this.disk = disk;
        this.mode = mode;
        this.lastPurged = disk.durablePurged;
        this.entries.addAll(disk.durableEntries);
        this.durableIndex = lastPurged.index() + entries.size();
        this.flusher = mode == FlushMode.BACKGROUND ? Executors.newSingleThreadExecutor(r -> {
            final Thread t = new Thread(r, "in-memory-log-flusher");
            t.setDaemon(true);
            return t;
        }) : null;
    }

    /** The flush mode this store was opened with. */
    public FlushMode flushMode() {
        return mode;
    }

    /** The highest index that is durable (flushed or purged). */
    public long durableIndex() {
        synchronized (disk) {
            return durableIndex;
        }
    }

    /** Whether some appended entry is not durable yet (a {@link FlushMode#MANUAL} store waits for {@link #flush()}). */
    public boolean hasUnflushed() {
        synchronized (disk) {
            return deadReason == null && lastIndex() > durableIndex;
        }
    }

    /** Makes every appended entry durable and reports it to the flush callbacks. */
    public void flush() {
        flushUpTo(Long.MAX_VALUE);
    }

    /**
     * Makes the appended entries up to {@code index} (capped at the last one) durable and reports them.
     * A no-op on a closed or crashed store.
     */
    public void flushUpTo(long index) {
        synchronized (disk) {
            if (deadReason != null) {
                return;
            }
            persistUpTo(Math.min(index, lastIndex()));
            reportDurable();
        }
    }

    /** Simulates a crash of this store alone: see {@link InMemoryDisk#crash()}. */
    public void crash() {
        crash(0);
    }

    /** Simulates a crash of this store alone: see {@link InMemoryDisk#crash(int)}. */
    public void crash(int keepUnflushed) {
        if (keepUnflushed < 0) {
            throw new IllegalArgumentException("InMemoryLogStore.crash: keepUnflushed must be >= 0, got " + keepUnflushed);
        }
        synchronized (disk) {
            if (deadReason != null) {
                return;
            }
            persistUpTo(Math.min(lastIndex(), durableIndex + keepUnflushed));
            die("crashed");
        }
    }

    @Override
    public LogId lastLogId() {
        synchronized (disk) {
            checkOpen("lastLogId");
            return entries.isEmpty() ? lastPurged : entries.get(entries.size() - 1).logId();
        }
    }

    @Override
    public LogId lastPurgedLogId() {
        synchronized (disk) {
            checkOpen("lastPurgedLogId");
            return lastPurged;
        }
    }

    @Override
    public long termAt(long index) {
        synchronized (disk) {
            checkOpen("termAt");
            if (index < lastPurged.index() || index > lastIndex()) {
                throw new IllegalArgumentException("LogStore.termAt: index " + index + " not in [" + lastPurged.index()
                    + ", " + lastIndex() + "]");
            }
            return index == lastPurged.index() ? lastPurged.term() : entries.get(position(index)).term();
        }
    }

    @Override
    public void append(EntryBatch batch, FlushCallback callback) {
        if (batch == null || callback == null) {
            throw new IllegalArgumentException("LogStore.append: batch and callback must not be null");
        }
        synchronized (disk) {
            checkOpen("append");
            if (batch.isEmpty()) {
                throw new IllegalArgumentException("LogStore.append: empty batch");
            }
            final LogId last = entries.isEmpty() ? lastPurged : entries.get(entries.size() - 1).logId();
            if (batch.firstIndex() != last.index() + 1) {
                throw new IllegalArgumentException("LogStore.append: batch starts at index " + batch.firstIndex()
                    + ", expected " + (last.index() + 1) + " (last log id " + last + ")");
            }
            if (batch.term(0) < last.term()) {
                throw new IllegalArgumentException("LogStore.append: term " + batch.term(0) + " of index "
                    + batch.firstIndex() + " is lower than the last entry's term " + last.term() + " (last log id " + last + ")");
            }
            for (int i = 0; i < batch.size(); i++) {
                entries.add(batch.entry(i).toEntry());
            }
            pending.add(new Pending(batch.firstIndex(), batch.lastIndex(), callback));
            if (mode == FlushMode.IMMEDIATE) {
                flushUpTo(Long.MAX_VALUE);
            } else if (mode == FlushMode.BACKGROUND) {
                flusher.execute(this::flush);
            }
        }
    }

    @Override
    public int read(long fromIndex, long toIndexExclusive, int maxBytes, EntryBatch dst) {
        if (dst == null) {
            throw new IllegalArgumentException("LogStore.read: dst must not be null");
        }
        synchronized (disk) {
            checkOpen("read");
            if (fromIndex <= lastPurged.index() || toIndexExclusive > lastIndex() + 1 || fromIndex > toIndexExclusive) {
                throw new IllegalArgumentException("LogStore.read: range [" + fromIndex + ", " + toIndexExclusive
                    + ") not within (" + lastPurged.index() + ", " + (lastIndex() + 1) + "] with from <= to");
            }
            int copied = 0;
            long bytes = 0;
            for (long i = fromIndex; i < toIndexExclusive && (copied == 0 || bytes < maxBytes); i++) {
                final Entry e = entries.get(position(i));
                dst.add(e.term(), e.index(), e.type(), e.data());
                bytes += e.data().length;
                copied++;
            }
            return copied;
        }
    }

    @Override
    public void truncateFrom(long index) {
        synchronized (disk) {
            checkOpen("truncateFrom");
            final long last = lastIndex();
            if (index <= lastPurged.index() || index > last + 1) {
                throw new IllegalArgumentException("LogStore.truncateFrom: index " + index + " not in ("
                    + lastPurged.index() + ", " + (last + 1) + "]");
            }
            if (index == last + 1) {
                return;
            }
            entries.subList(position(index), entries.size()).clear();
            if (durableIndex >= index) {
                final int keep = (int) (index - 1 - lastPurged.index());
                disk.durableEntries.subList(keep, disk.durableEntries.size()).clear();
                durableIndex = index - 1;
            }
            // pending appends: those wholly removed are dropped, a straddling one is capped at index - 1
            while (!pending.isEmpty() && pending.peekLast().lastIndex >= index) {
                final Pending p = pending.pollLast();
                if (p.firstIndex < index) {
                    pending.addLast(new Pending(p.firstIndex, index - 1, p.callback));
                    break;
                }
            }
            reportDurable();
        }
    }

    @Override
    public void purgeUpTo(LogId upTo) {
        if (upTo == null) {
            throw new IllegalArgumentException("LogStore.purgeUpTo: upTo must not be null");
        }
        synchronized (disk) {
            checkOpen("purgeUpTo");
            if (upTo.index() <= lastPurged.index()) {
                return;
            }
            final long last = lastIndex();
            if (upTo.index() <= last) {
                final long term = entries.get(position(upTo.index())).term();
                if (term != upTo.term()) {
                    throw new IllegalArgumentException("LogStore.purgeUpTo: " + upTo + " does not match the term "
                        + term + " of the entry at index " + upTo.index());
                }
                entries.subList(0, position(upTo.index()) + 1).clear();
            } else {
                entries.clear();
            }
            final int durableRemoved = (int) Math.min(disk.durableEntries.size(), upTo.index() - lastPurged.index());
            disk.durableEntries.subList(0, durableRemoved).clear();
            lastPurged = upTo;
            disk.durablePurged = upTo;
            if (durableIndex < upTo.index()) {
                durableIndex = upTo.index();
            }
            reportDurable();
        }
    }

    @Override
    public void saveVote(Vote vote) {
        if (vote == null) {
            throw new IllegalArgumentException("LogStore.saveVote: vote must not be null");
        }
        synchronized (disk) {
            checkOpen("saveVote");
            final Vote saved = disk.durableVote;
            if (vote.term() < saved.term()) {
                throw new IllegalArgumentException("LogStore.saveVote: term " + vote.term()
                    + " is lower than the saved term " + saved.term());
            }
            if (vote.term() == saved.term() && saved.hasVoted() && vote.votedFor() != saved.votedFor()) {
                throw new IllegalArgumentException("LogStore.saveVote: already voted for node " + saved.votedFor()
                    + " in term " + saved.term() + ", cannot change it to " + vote.votedFor());
            }
            disk.durableVote = vote;
        }
    }

    @Override
    public Vote readVote() {
        synchronized (disk) {
            checkOpen("readVote");
            return disk.durableVote;
        }
    }

    /** Flushes what was appended (without telling the callbacks) and releases the disk. Idempotent. */
    @Override
    public void close() {
        synchronized (disk) {
            if (deadReason != null) {
                return;
            }
            persistUpTo(lastIndex());
            die("closed");
        }
    }

    /** Writes the entries {@code (durableIndex, upTo]} to the disk. */
    private void persistUpTo(long upTo) {
        for (long i = durableIndex + 1; i <= upTo; i++) {
            disk.durableEntries.add(entries.get(position(i)));
        }
        durableIndex = Math.max(durableIndex, upTo);
    }

    private void die(String reason) {
        deadReason = reason;
        pending.clear();
        entries.clear();
        if (flusher != null) {
            flusher.shutdownNow();
        }
        disk.logClosed(this);
    }

    /** Tells the callbacks of the pending appends that are now wholly durable, grouping runs of one callback. */
    private void reportDurable() {
        while (!pending.isEmpty() && pending.peekFirst().lastIndex <= durableIndex) {
            Pending p = pending.pollFirst();
            while (!pending.isEmpty() && pending.peekFirst().callback == p.callback
                && pending.peekFirst().lastIndex <= durableIndex) {
                p = pending.pollFirst();
            }
            p.callback.onFlushed(p.lastIndex);
        }
    }

    private long lastIndex() {
        return lastPurged.index() + entries.size();
    }

    private int position(long index) {
        return (int) (index - lastPurged.index() - 1);
    }

    private void checkOpen(String operation) {
        if (deadReason != null) {
            throw new IllegalStateException("LogStore." + operation + ": the store is " + deadReason);
        }
    }

    @Override
    public String toString() {
        synchronized (disk) {
            return "InMemoryLogStore{" + mode + ", purged=" + lastPurged + ", last=" + lastIndex() + ", durable="
                + durableIndex + (deadReason == null ? "" : ", " + deadReason) + "}";
        }
    }

    private record Pending(long firstIndex, long lastIndex, FlushCallback callback) {
    }
}
