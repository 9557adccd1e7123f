package dev.raft.testkit.conformance;

import static dev.raft.testkit.conformance.StorageContracts.ABORT;
import static dev.raft.testkit.conformance.StorageContracts.APPEND_COPIES;
import static dev.raft.testkit.conformance.StorageContracts.CRASH_BEFORE_FINISH;
import static dev.raft.testkit.conformance.StorageContracts.FINISH;
import static dev.raft.testkit.conformance.StorageContracts.FINISH_DURABLE;
import static dev.raft.testkit.conformance.StorageContracts.FINISH_FAILED;
import static dev.raft.testkit.conformance.StorageContracts.FINISH_GAP;
import static dev.raft.testkit.conformance.StorageContracts.FINISH_OLDER;
import static dev.raft.testkit.conformance.StorageContracts.LOG_CLOSED;
import static dev.raft.testkit.conformance.StorageContracts.LOG_EMPTY;
import static dev.raft.testkit.conformance.StorageContracts.MEMBERSHIP_ENTRIES;
import static dev.raft.testkit.conformance.StorageContracts.READER_VALID;
import static dev.raft.testkit.conformance.StorageContracts.READ_DST;
import static dev.raft.testkit.conformance.StorageContracts.READ_ENTRIES;
import static dev.raft.testkit.conformance.StorageContracts.SINK_CONTIGUOUS;
import static dev.raft.testkit.conformance.StorageContracts.SINK_INVISIBLE;
import static dev.raft.testkit.conformance.StorageContracts.SINK_META;
import static dev.raft.testkit.conformance.StorageContracts.SINK_STATE;
import static dev.raft.testkit.conformance.StorageContracts.SINK_WRITE;
import static dev.raft.testkit.conformance.StorageContracts.SINK_WRITE_POSITION;
import static dev.raft.testkit.conformance.StorageContracts.SNAPSHOT_CLOSE;
import static dev.raft.testkit.conformance.StorageContracts.SNAPSHOT_EMPTY;
import static dev.raft.testkit.conformance.StorageContracts.TRANSFER;
import static dev.raft.testkit.conformance.StorageContracts.WRITE_RETRYABLE;

import dev.raft.api.Entry;
import dev.raft.api.EntryBatch;
import dev.raft.api.EntryType;
import dev.raft.api.LogId;
import dev.raft.api.Membership;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.Vote;
import dev.raft.api.error.StorageException;
import dev.raft.api.storage.LogStore;
import dev.raft.api.storage.SnapshotReader;
import dev.raft.api.storage.SnapshotSink;
import dev.raft.api.storage.SnapshotStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

/**
 * The storage conformance suite: proves that a {@link LogStore} and a {@link SnapshotStore} honour every
 * contract written in the Javadoc of {@code dev.raft.api.storage}. A store author runs it with one JUnit 5
 * class that extends this one and supplies a {@link StorageFactory}:
 *
 * <pre>{@code
 * class MyStorageConformanceTest extends StorageConformanceSuite {
 *     @Override
 *     protected StorageFactory factory() {
 *         return new StorageFactory() {
 *             public LogStore openLogStore(Path dir) throws IOException {
 *                 return MyLogStore.open(dir);
 *             }
 *
 *             public SnapshotStore openSnapshotStore(Path dir) throws IOException {
 *                 return MySnapshotStore.open(dir);
 *             }
 *
 *             public Optional<String> unsupported(Fault fault) {
 *                 return fault == Fault.CRASH ? Optional.empty() : Optional.of("not simulated by the file store");
 *             }
 *
 *             public void crash(LogStore store, Path dir) {
 *                 ((MyLogStore) store).stopWithoutForce(); // stop its threads: no force, no flush callback
 *             }
 *
 *             public void crash(SnapshotStore store, Path dir) {
 *                 ((MySnapshotStore) store).stopWithoutForce();
 *             }
 *         };
 *     }
 * }
 * }</pre>
 *
 * <p>Every case gets fresh directories under a JUnit {@code @TempDir}. Cases that need a fault the factory
 * does not support are skipped with its reason (see {@link StorageFactory#unsupported(Fault)}). Every
 * failure message starts with the contract broken (one of {@link StorageContracts}) and lists the
 * operations that broke it; random cases also print the seed and how to replay it.
 *
 * <h2>System properties</h2>
 * <ul>
 *   <li>{@code raft.conformance.seeds} (default 12): random log sequences, and half as many snapshot ones;</li>
 *   <li>{@code raft.conformance.ops} (default 400): operations per random sequence;</li>
 *   <li>{@code raft.conformance.seed}: replay exactly this seed (prints it on failure);</li>
 *   <li>{@code raft.conformance.concurrencyMillis} (default 400): length of the concurrent-read run.</li>
 * </ul>
 *
 * <h2>What openraft's storage {@code Suite} covers, mapped to this split</h2>
 * openraft's {@code RaftStorage} holds the log, the vote, the state machine and snapshots; here the
 * {@code LogStore} holds log and vote, the {@code SnapshotStore} the snapshot files, and the state machine
 * is volatile and restored by the node (see {@code dev.raft.api.statemachine.StateMachine}), so
 * {@code last_applied_state}, {@code apply_single}, {@code apply_multiple}, apply order and the
 * {@code get_initial_state_*} recovery of last-applied and membership from the state machine are the
 * node's and the state machine's business, tested with the core. The rest maps as follows:
 * <ul>
 *   <li>initial state, {@code get_initial_state_without_init}: {@link #logInitialStateIsEmpty()},
 *       {@link #snapshotStoreInitiallyEmpty()};</li>
 *   <li>{@code save_vote} and the defensive vote checks: {@link #voteSaveAndReadOneVotePerTerm()};</li>
 *   <li>{@code get_log_entries}, {@code limited_get_log_entries}, {@code try_get_log_entry}:
 *       {@link #readRanges()}, {@link #readClampedByMaxBytes()}, {@link #readOutOfRangeRejected()};</li>
 *   <li>{@code get_log_state}, {@code get_log_id}, {@code last_id_in_log}: {@link #termAtAndIds()} and the
 *       id checks after every operation;</li>
 *   <li>{@code purge_logs_upto_0/5/20}: {@link #purgeWithinTheLog()}, {@link #purgeToTheEndAndBeyond()};</li>
 *   <li>{@code delete_logs_since_11/0}: {@link #truncateAfterAtBeforeTheEndAndEverything()};</li>
 *   <li>{@code append_to_log}: {@link #appendAndReadBack()}, {@link #appendAfterPurge()};</li>
 *   <li>{@code last_membership_in_log*}, {@code get_membership_*} (membership recovered from the log):
 *       {@link #membershipEntriesReadBackIntact()} (the node scans the log; the store must keep membership
 *       entries intact) and the reopen cases;</li>
 *   <li>{@code snapshot_meta}: {@link #snapshotFinishMakesItCurrent()};</li>
 *   <li>{@code transfer_snapshot}: {@link #snapshotTransferBetweenTwoStores()};</li>
 *   <li>defensive checks (non-consecutive append, append beyond last + 1, inverted or conflicting order):
 *       {@link #appendRejections()}.</li>
 * </ul>
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith(StorageConformanceSuite.UnexpectedExceptions.class)
public abstract class StorageConformanceSuite {
    private StorageFactory factory;
    /** The operations of the running case, for the message of an unexpected exception. */
    private OpLog current;
    private Path root;
    private String caseName;
    private final List<AutoCloseable> opened = new ArrayList<>();

    /** The factory of the stores under test; called once per case. */
    protected abstract StorageFactory factory();

    /** Creates the factory and the case's root directory. */
    @BeforeEach
    public final void setUpConformanceCase(@TempDir Path tempDir, TestInfo info) {
        factory = factory();
        root = tempDir;
        caseName = getClass().getSimpleName() + "." + info.getTestMethod().map(m -> m.getName()).orElse("?");
    }

    /** Closes every store the case opened (quietly: a broken store may throw). */
    @AfterEach
    public final void tearDownConformanceCase() {
        Collections.reverse(opened);
        for (AutoCloseable c : opened) {
            try {
                c.close();
            } catch (Exception ignored) {
                // teardown only
            }
        }
        opened.clear();
    }

    // ------------------------------------------------------------------------------------------ log

    /** A new store is empty: ids NONE, vote INITIAL, {@code termAt(0) == 0}, empty reads only. */
    @Test
    public void logInitialStateIsEmpty() {
        final LogHarness h = log();
        h.checkAll(LOG_EMPTY);
        h.read(1, 1, Integer.MAX_VALUE);
        h.read(0, 1, Integer.MAX_VALUE);
        h.read(1, 2, Integer.MAX_VALUE);
        h.termAt(1);
        h.truncate(2);
        h.truncate(1);
        h.checkAll(LOG_EMPTY);
    }

    /** Appended batches of every entry type and payload size read back intact; a batch of one entry too. */
    @Test
    public void appendAndReadBack() {
        final LogHarness h = log();
        h.append(1, 1);
        h.append(1, 5);
        h.append(2, 30);
        h.append(3, 64);
        h.read(1, h.modelLast().index() + 1, Integer.MAX_VALUE);
        h.checkAll(READ_ENTRIES);
    }

    /** The store copies the batch: refilling it after append changes nothing stored. */
    @Test
    public void appendCopiesTheBatch() {
        final LogHarness h = log();
        final EntryBatch batch = Entries.batch(1, 1, 10);
        h.append(batch);
        batch.clear();
        for (int i = 1; i <= 10; i++) {
            batch.add(Entries.sized(9, i, 40));
        }
        batch.buffer().setMemory(0, batch.payloadBytes(), (byte) 0x5a);
        h.log.add("refill the appended batch with other entries");
        h.checkAll(APPEND_COPIES);
    }

    /** Empty ranges, single entries, sub-ranges, the whole log, and reading after entries already in dst. */
    @Test
    public void readRanges() {
        final LogHarness h = log();
        h.append(1, 10);
        h.append(2, 10);
        for (long from = 1; from <= 21; from++) {
            h.read(from, from, Integer.MAX_VALUE);
            h.read(from, Math.min(21, from + 1), Integer.MAX_VALUE);
            h.read(from, 21, Integer.MAX_VALUE);
        }
        h.read(5, 15, Integer.MAX_VALUE);
        final EntryBatch dst = new EntryBatch(256);
        h.log.add("read(1, 4) then read(4, 8) into the same dst");
        final LogStore store = h.store();
        final int first = h.call(READ_DST, "read", () -> store.read(1, 4, Integer.MAX_VALUE, dst));
        final int second = h.call(READ_DST, "read", () -> store.read(4, 8, Integer.MAX_VALUE, dst));
        h.log.check(first == 3 && second == 4 && dst.size() == 7 && dst.firstIndex() == 1 && dst.lastIndex() == 7, READ_DST,
            "returned " + first + " and " + second + ", dst holds " + dst);
        for (int i = 0; i < dst.size(); i++) {
            h.log.check(h.modelEntry(i + 1).equals(dst.entry(i).toEntry()), READ_DST, "dst position " + i + " holds "
                + dst.entry(i).toEntry() + ", expected " + h.modelEntry(i + 1));
        }
    }

    /** {@code maxBytes} stops the copy once reached, and at least one entry is copied (maxBytes 0 or 1 too). */
    @Test
    public void readClampedByMaxBytes() {
        final LogHarness h = log();
        final EntryBatch batch = new EntryBatch(1024);
        for (int i = 1; i <= 20; i++) {
            batch.add(Entries.sized(1, i, 10));
        }
        h.append(batch);
        h.append(1, 30);
        for (int maxBytes : new int[] {0, 1, 9, 10, 11, 25, 30, 31, 100, 199, 200, 201, 5000}) {
            h.read(1, 21, maxBytes);
            h.read(3, 40, maxBytes);
        }
    }

    /** Ranges outside {@code (lastPurged, last + 1]} or with {@code from > to} are rejected, also after a purge. */
    @Test
    public void readOutOfRangeRejected() {
        final LogHarness h = log();
        h.append(1, 10);
        h.read(0, 5, Integer.MAX_VALUE);
        h.read(1, 12, Integer.MAX_VALUE);
        h.read(11, 12, Integer.MAX_VALUE);
        h.read(6, 5, Integer.MAX_VALUE);
        h.purge(LogId.of(1, 4));
        h.read(4, 6, Integer.MAX_VALUE);
        h.read(3, 3, Integer.MAX_VALUE);
        h.read(5, 5, Integer.MAX_VALUE);
        h.read(5, 11, Integer.MAX_VALUE);
        h.read(11, 11, Integer.MAX_VALUE);
    }

    /** {@code termAt} over the whole range, at the purge point, and rejected outside. */
    @Test
    public void termAtAndIds() {
        final LogHarness h = log();
        h.termAt(0);
        h.append(1, 3);
        h.append(4, 3);
        h.append(7, 3);
        for (long i = 0; i <= 10; i++) {
            h.termAt(i);
        }
        h.purge(LogId.of(4, 5));
        for (long i = 3; i <= 10; i++) {
            h.termAt(i);
        }
        h.checkAll(READ_ENTRIES);
    }

    /** Purges inside the log, at and below the purge point (no-op), and with a wrong term (rejected). */
    @Test
    public void purgeWithinTheLog() {
        final LogHarness h = log();
        h.append(1, 10);
        h.append(2, 10);
        h.purge(LogId.NONE);
        h.purge(LogId.of(1, 5));
        h.checkAll(StorageContracts.PURGE);
        h.purge(LogId.of(1, 5));
        h.purge(LogId.of(1, 3));
        h.purge(LogId.of(1, 12));
        h.purge(LogId.of(2, 11));
        h.purge(LogId.of(2, 15));
        h.read(16, 21, Integer.MAX_VALUE);
        h.checkAll(StorageContracts.PURGE);
    }

    /** Purge up to the last entry, then beyond the end (after a snapshot install): empty log, lastLogId == upTo. */
    @Test
    public void purgeToTheEndAndBeyond() {
        final LogHarness h = log();
        h.append(1, 10);
        h.purge(LogId.of(1, 10));
        h.checkAll(StorageContracts.PURGE_BEYOND);
        h.purge(LogId.of(3, 25));
        h.checkAll(StorageContracts.PURGE_BEYOND);
        h.read(26, 26, Integer.MAX_VALUE);
        h.read(25, 26, Integer.MAX_VALUE);
        h.termAt(25);
        h.truncate(25);
        h.append(3, 5);
        h.checkAll(StorageContracts.PURGE_BEYOND);
    }

    /** Appending after purges continues the log; wrong starts are rejected. */
    @Test
    public void appendAfterPurge() {
        final LogHarness h = log();
        h.append(1, 8);
        h.purge(LogId.of(1, 5));
        h.append(2, 4);
        h.append(Entries.batch(2, 5, 2));
        h.append(Entries.batch(2, 14, 2));
        h.purge(LogId.of(2, 12));
        h.append(2, 3);
        h.checkAll(READ_ENTRIES);
    }

    /** Truncation after the end (no-op), at the last entry, in the middle, at the first entry, and rejections. */
    @Test
    public void truncateAfterAtBeforeTheEndAndEverything() {
        final LogHarness h = log();
        h.append(1, 10);
        h.append(2, 10);
        h.truncate(21);
        h.truncate(20);
        h.truncate(15);
        h.read(1, 15, Integer.MAX_VALUE);
        h.append(3, 6);
        h.truncate(1);
        h.append(4, 5);
        h.purge(LogId.of(4, 2));
        h.truncate(2);
        h.truncate(0);
        h.truncate(8);
        h.truncate(3);
        h.checkAll(StorageContracts.TRUNCATE);
        h.append(5, 3);
        h.checkAll(StorageContracts.TRUNCATE);
    }

    /** Empty, overlapping, gapped and term-decreasing batches are rejected and change nothing. */
    @Test
    public void appendRejections() {
        final LogHarness h = log();
        h.append(new EntryBatch(16));
        h.append(Entries.batch(1, 2, 3));
        h.append(1, 5);
        h.append(Entries.batch(1, 5, 1));
        h.append(Entries.batch(1, 1, 3));
        h.append(Entries.batch(1, 7, 1));
        h.append(Entries.batch(1, 60, 1));
        h.append(3, 2);
        h.append(Entries.batch(2, 8, 2));
        h.append(Entries.batch(1, 8, 1));
        h.purge(LogId.of(3, 7));
        h.append(Entries.batch(2, 8, 2));
        h.append(Entries.batch(3, 9, 2));
        h.checkAll(READ_ENTRIES);
    }

    /** Votes are read back; terms never decrease; one candidate per term (setting it once is allowed). */
    @Test
    public void voteSaveAndReadOneVotePerTerm() {
        final LogHarness h = log();
        h.saveVote(new Vote(1, 0));
        h.saveVote(new Vote(1, 2));
        h.saveVote(new Vote(1, 2));
        h.saveVote(new Vote(1, 3));
        h.saveVote(new Vote(1, 0));
        h.saveVote(new Vote(5, 0));
        h.saveVote(new Vote(4, 1));
        h.saveVote(new Vote(0, 0));
        h.saveVote(new Vote(5, 3));
        h.saveVote(new Vote(7, 1));
        h.saveVote(new Vote(6, 1));
        h.checkAll(StorageContracts.VOTE);
    }

    /** Membership entries (single, joint, with learners) are stored and decode back to the same membership. */
    @Test
    public void membershipEntriesReadBackIntact() {
        final LogHarness h = log();
        final Membership[] memberships = {
            Membership.of(1),
            Membership.of(1, 2, 3),
            Membership.joint(new int[] {1, 2, 3}, new int[] {3, 4, 5}),
            Membership.of(new int[][] {{1, 2, 3}}, new int[] {4, 5}),
            Membership.of(new int[][] {{1, 2}, {2, 3, 4}}, new int[] {7}),
        };
        final EntryBatch batch = new EntryBatch(256);
        for (int i = 0; i < memberships.length; i++) {
            batch.add(Entry.membership(1, i + 1, memberships[i]));
        }
        h.append(batch);
        h.append(2, 3);
        h.reopenAfterClose();
        final EntryBatch dst = new EntryBatch(256);
        final LogStore store = h.store();
        h.call(MEMBERSHIP_ENTRIES, "read", () -> store.read(1, memberships.length + 1, Integer.MAX_VALUE, dst));
        for (int i = 0; i < memberships.length; i++) {
            final Entry e = dst.entry(i).toEntry();
            h.log.check(e.type() == EntryType.MEMBERSHIP, MEMBERSHIP_ENTRIES, "entry " + e + " lost its MEMBERSHIP type");
            final Membership decoded = Membership.decode(e.data());
            h.log.check(memberships[i].equals(decoded), MEMBERSHIP_ENTRIES, "entry " + e.index() + " decodes to " + decoded
                + ", appended " + memberships[i]);
        }
    }

    /** Calls after close throw IllegalStateException; close is idempotent. */
    @Test
    public void closedLogStoreRejectsCalls() {
        final LogHarness h = log();
        h.append(1, 3);
        h.awaitFlushed();
        final LogStore store = h.store();
        h.log.add("close; close");
        h.call(LOG_CLOSED, "close", () -> {
            store.close();
            store.close();
            return null;
        });
        final List<Runnable> calls = List.of(store::lastLogId, store::lastPurgedLogId, store::readVote, () -> store.termAt(1),
            () -> store.append(Entries.batch(1, 4, 1), index -> { }), () -> store.read(1, 2, 100, new EntryBatch(64)),
            () -> store.truncateFrom(2), () -> store.purgeUpTo(LogId.of(1, 1)), () -> store.saveVote(new Vote(1, 1)));
        final String[] names = {"lastLogId", "lastPurgedLogId", "readVote", "termAt", "append", "read", "truncateFrom",
            "purgeUpTo", "saveVote"};
        for (int i = 0; i < calls.size(); i++) {
            Snapshots.expectThrows(IllegalStateException.class, LOG_CLOSED, names[i] + " after close", calls.get(i), h.log);
        }
        h.reopenAfterClose();
    }

    /**
     * Every append's flush callback is eventually called, with strictly increasing indexes that were appended,
     * and none at or above a truncation point until entries are appended there again.
     */
    @Test
    public void flushCallbacksReportEveryAppend() {
        final LogHarness h = log();
        for (int round = 0; round < 20; round++) {
            h.append(1 + round / 5, 1 + round % 4);
        }
        h.awaitFlushed();
        h.truncate(30);
        h.truncate(h.modelLast().index() - 2);
        h.append(9, 4);
        h.awaitFlushed();
        h.purge(LogId.of(9, h.modelLast().index()));
        h.append(9, 2);
        h.awaitFlushed();
    }

    /** After a clean close (and the flush of every append), everything comes back: entries, purge point, vote. */
    @Test
    public void reopenAfterCloseKeepsEverything() {
        final LogHarness h = log();
        h.reopenAfterClose();
        h.append(1, 20);
        h.saveVote(new Vote(3, 2));
        h.purge(LogId.of(1, 4));
        h.truncate(15);
        h.append(3, 5);
        h.reopenAfterClose();
        h.append(3, 2);
        h.purge(LogId.of(4, 40));
        h.reopenAfterClose();
        h.append(4, 1);
        h.reopenAfterClose();
    }

    /**
     * A crash keeps every entry reported flushed, the vote, truncations and purges, and leaves a prefix of what
     * was appended.
     */
    @Test
    @NeedsFault(Fault.CRASH)
    public void crashKeepsFlushedEntriesVoteTruncateAndPurge() {
        assumeFault(Fault.CRASH);
        final LogHarness h = log();
        h.append(1, 10);
        h.awaitFlushed();
        h.saveVote(new Vote(2, 1));
        h.append(2, 5);
        h.crashAndReopen(false);
        h.append(2, 10);
        h.awaitFlushed();
        h.truncate(12);
        h.crashAndReopen(false);
        h.append(3, 6);
        h.awaitFlushed();
        h.purge(LogId.of(3, 14));
        h.crashAndReopen(false);
        h.purge(LogId.of(5, 40));
        h.crashAndReopen(false);
        h.append(5, 3);
        h.saveVote(new Vote(5, 3));
        h.crashAndReopen(false);
        h.checkAll(StorageContracts.FLUSH_DURABLE);
    }

    /** A truncated entry never comes back after a crash, even when new entries are appended in its place. */
    @Test
    @NeedsFault(Fault.CRASH)
    public void crashAfterTruncateNeverResurrects() {
        assumeFault(Fault.CRASH);
        final LogHarness h = log();
        for (int round = 0; round < 10; round++) {
            h.append(1 + round, 8);
            h.awaitFlushed();
            h.truncate(h.modelLast().index() - 3);
            if (round % 2 == 0) {
                h.append(1 + round, 1);
            }
            h.crashAndReopen(false);
        }
    }

    /** A crash that tears the unflushed tail leaves a prefix with every flushed entry and no torn entry. */
    @Test
    @NeedsFault(Fault.TORN_CRASH)
    public void crashTearingTheUnflushedTail() {
        assumeFault(Fault.TORN_CRASH);
        final LogHarness h = log();
        for (int round = 0; round < 10; round++) {
            h.append(1 + round, 5);
            h.awaitFlushed();
            h.append(1 + round, 1 + round);
            h.crashAndReopen(true);
        }
    }

    /** Reader threads concurrent with appends, truncates and purges never see torn, phantom or removed entries. */
    @Test
    public void concurrentReadsSeeNoTornOrPhantomEntries() throws Exception {
        final OpLog ops = ops();
        new ConcurrentReadRun(rawLog("concurrent-log"), ops, 42).run(2, Long.getLong("raft.conformance.concurrencyMillis", 400));
    }

    /** The largest entry the store declares ({@link StorageFactory#maxEntryBytes()}) reads back intact, also after reopen. */
    @Test
    public void largestEntryKeptIntact() {
        PrincipleCases.largestEntry(log(), factory.maxEntryBytes());
    }

    /**
     * Every range precondition ({@code termAt}, {@code read}, {@code truncateFrom}) holds on both sides of its
     * boundary after a purge, after a truncate, after a reopen and after a crash.
     */
    @Test
    @NeedsFault(value = Fault.CRASH, partly = true)
    public void preconditionsOnBothSidesAfterPurgeTruncateReopenAndCrash() {
        final LogHarness h = log();
        h.append(1, 10);
        h.append(2, 10);
        PrincipleCases.boundaries(h);
        h.purge(LogId.of(1, 5));
        PrincipleCases.boundaries(h);
        h.truncate(15);
        PrincipleCases.boundaries(h);
        h.reopenAfterClose();
        PrincipleCases.boundaries(h);
        if (factory.unsupported(Fault.CRASH).isEmpty()) {
            h.append(3, 3);
            h.awaitFlushed();
            h.crashAndReopen(false);
            PrincipleCases.boundaries(h);
        }
    }

    /** Two appends with two different callbacks: both callbacks are told. */
    @Test
    public void everyAppendsCallbackIsTold() throws Exception {
        final OpLog ops = ops();
        PrincipleCases.everyCallbackTold(rawLog("callbacks"), ops);
    }

    /** The longest snapshot id and the largest chunks are kept intact, also after reopen. */
    @Test
    public void longestSnapshotIdAndLargestChunksKeptIntact() throws Exception {
        final OpLog ops = ops();
        final Path dir = dir("snapshots");
        final SnapshotStore store = factory.openSnapshotStore(dir);
        final SnapshotMeta meta = PrincipleCases.largestSnapshot(store, ops);
        ops.add("close; reopen");
        store.close();
        final SnapshotStore reopened = factory.openSnapshotStore(dir);
        opened.add(reopened);
        final int size = 2 * dev.raft.api.config.RaftConfig.MAX_SNAPSHOT_CHUNK_BYTES + 7;
        Snapshots.checkCurrent(reopened, meta, Snapshots.content(30, 0, size), StorageContracts.LIMITS, ops);
    }

    /**
     * Lists, for each fault the factory declares unsupported, the cases that skips (skipped itself, with that
     * list as its reason, when any fault is unsupported).
     */
    @Test
    public void faultSupportReport() {
        final String report = PrincipleCases.faultReport(getClass(), factory);
        if (!report.isEmpty()) {
            System.out.println(storeName() + ":\n" + report);
            Assumptions.abort(report);
        }
    }

    /** Thousands of seeded random operations, valid and invalid, with reopens and crashes, against the model. */
    @Test
    @NeedsFault(value = {Fault.CRASH, Fault.TORN_CRASH}, partly = true)
    public void randomLogOperationsMatchTheModel() {
        final boolean crash = factory.unsupported(Fault.CRASH).isEmpty();
        final boolean torn = factory.unsupported(Fault.TORN_CRASH).isEmpty();
        final int operations = Integer.getInteger("raft.conformance.ops", 400);
        for (long seed : seeds(Integer.getInteger("raft.conformance.seeds", 12))) {
            final OpLog ops = new OpLog(storeName(), "seed " + seed + ": -Draft.conformance.seed=" + seed
                + " -Draft.conformance.ops=" + operations + " -Dtest=" + caseName.replace('.', '#'));
            current = ops;
            try (LogHarness h = new LogHarness(factory, dir("random-log-" + seed), ops)) {
                new LogModelRun(h, seed, crash, torn).run(operations);
            }
        }
    }

    // ------------------------------------------------------------------------------------------ snapshots

    /** A new snapshot store has no current snapshot. */
    @Test
    public void snapshotStoreInitiallyEmpty() throws Exception {
        final OpLog ops = ops();
        Snapshots.checkCurrent(snapshots("snapshots"), null, null, SNAPSHOT_EMPTY, ops);
    }

    /** Finish makes the snapshot current with its meta (membership included), size and bytes. */
    @Test
    public void snapshotFinishMakesItCurrent() throws Exception {
        final OpLog ops = ops();
        final SnapshotStore store = snapshots("snapshots");
        final SnapshotMeta meta = Snapshots.meta("1-10-a", 1, 10);
        final SnapshotSink sink = store.begin(meta);
        ops.check(meta.equals(sink.meta()), SINK_META, "sink.meta() = " + sink.meta() + ", begun with " + meta);
        for (int position = 0; position < 10_000; position += 1000) {
            Snapshots.write(sink, 1, position, 1000, ops);
        }
        Snapshots.checkCurrent(store, null, null, SINK_INVISIBLE, ops);
        try (SnapshotReader reader = Snapshots.finish(sink, ops)) {
            Snapshots.checkReader(reader, meta, Snapshots.content(1, 0, 10_000), FINISH, ops);
        }
        Snapshots.checkCurrent(store, meta, Snapshots.content(1, 0, 10_000), FINISH, ops);
        final SnapshotSink empty = store.begin(Snapshots.meta("1-11-empty", 1, 11));
        try (SnapshotReader reader = Snapshots.finish(empty, ops)) {
            Snapshots.checkReader(reader, empty.meta(), new byte[0], FINISH, ops);
        }
    }

    /** Chunks written out of order and repeated give the same bytes; contiguousBytes follows the gaps. */
    @Test
    public void snapshotChunksOutOfOrderAndRepeated() throws Exception {
        final OpLog ops = ops();
        final SnapshotStore store = snapshots("snapshots");
        final SnapshotSink sink = store.begin(Snapshots.meta("2-20-a", 2, 20));
        final long[][] writes = {{3000, 1000}, {1000, 1000}, {1000, 1000}, {0, 500}, {500, 500}, {1500, 700},
            {4000, 1}, {2000, 1000}, {3500, 10}, {4001, 999}, {0, 1000}};
        final long[] contiguous = {0, 0, 0, 500, 2000, 2200, 2200, 4001, 4001, 5000, 5000};
        ops.check(sink.contiguousBytes() == 0, SINK_CONTIGUOUS, "contiguousBytes() = " + sink.contiguousBytes() + " before any write");
        for (int i = 0; i < writes.length; i++) {
            Snapshots.write(sink, 2, writes[i][0], (int) writes[i][1], ops);
            final long got = sink.contiguousBytes();
            ops.check(got == contiguous[i], SINK_CONTIGUOUS, "contiguousBytes() = " + got + ", expected " + contiguous[i]);
        }
        try (SnapshotReader reader = Snapshots.finish(sink, ops)) {
            Snapshots.checkReader(reader, sink.meta(), Snapshots.content(2, 0, 5000), SINK_WRITE, ops);
        }
        Snapshots.expectThrows(IllegalArgumentException.class, SINK_WRITE_POSITION, "write(-1) on a new sink",
            () -> store.begin(Snapshots.meta("2-21-b", 2, 21)).write(-1, ByteBuffer.wrap(new byte[1])), ops);
    }

    /** Finishing with a gap below the highest written byte throws IllegalStateException; nothing becomes current. */
    @Test
    public void snapshotGapRejectedAtFinish() throws Exception {
        final OpLog ops = ops();
        final SnapshotStore store = snapshots("snapshots");
        final SnapshotSink sink = store.begin(Snapshots.meta("3-30-a", 3, 30));
        Snapshots.write(sink, 3, 0, 100, ops);
        Snapshots.write(sink, 3, 200, 100, ops);
        ops.check(sink.contiguousBytes() == 100, SINK_CONTIGUOUS, "contiguousBytes() = " + sink.contiguousBytes() + ", expected 100");
        Snapshots.expectThrows(IllegalStateException.class, FINISH_GAP, "finish() with bytes [100, 200) unwritten", sink::finish, ops);
        Snapshots.checkCurrent(store, null, null, FINISH_GAP, ops);
    }

    /** Abort drops the snapshot, is idempotent and a no-op after finish; a finished or aborted sink refuses use. */
    @Test
    public void snapshotAbortAndSinkState() throws Exception {
        final OpLog ops = ops();
        final SnapshotStore store = snapshots("snapshots");
        final SnapshotMeta kept = Snapshots.meta("4-40-kept", 4, 40);
        final SnapshotSink finished = store.begin(kept);
        Snapshots.write(finished, 4, 0, 300, ops);
        Snapshots.finish(finished, ops).close();
        final SnapshotSink aborted = store.begin(Snapshots.meta("5-50-aborted", 5, 50));
        Snapshots.write(aborted, 5, 0, 300, ops);
        ops.add("abort(); abort(); finished.abort()");
        aborted.abort();
        aborted.abort();
        finished.abort();
        Snapshots.checkCurrent(store, kept, Snapshots.content(4, 0, 300), ABORT, ops);
        Snapshots.expectThrows(IllegalStateException.class, SINK_STATE, "write after abort",
            () -> aborted.write(0, ByteBuffer.wrap(new byte[1])), ops);
        Snapshots.expectThrows(IllegalStateException.class, SINK_STATE, "finish after abort", aborted::finish, ops);
        Snapshots.expectThrows(IllegalStateException.class, SINK_STATE, "write after finish",
            () -> finished.write(0, ByteBuffer.wrap(new byte[1])), ops);
        Snapshots.expectThrows(IllegalStateException.class, SINK_STATE, "finish after finish", finished::finish, ops);
        Snapshots.checkCurrent(store, kept, Snapshots.content(4, 0, 300), ABORT, ops);
    }

    /** Of several open sinks the last to finish is current, unless older than the current one (then refused). */
    @Test
    public void olderSnapshotRefusedAtFinish() throws Exception {
        final OpLog ops = ops();
        final SnapshotStore store = snapshots("snapshots");
        final SnapshotSink older = store.begin(Snapshots.meta("5-50-older", 5, 50));
        final SnapshotSink newer = store.begin(Snapshots.meta("5-60-newer", 5, 60));
        final SnapshotSink sameId = store.begin(Snapshots.meta("5-60-again", 5, 60));
        Snapshots.write(older, 50, 0, 100, ops);
        Snapshots.write(newer, 60, 0, 200, ops);
        Snapshots.write(sameId, 61, 0, 50, ops);
        Snapshots.finish(newer, ops).close();
        Snapshots.expectThrows(RuntimeException.class, FINISH_OLDER, "finish() of 5-50 after 5-60 became current",
            older::finish, ops);
        Snapshots.checkCurrent(store, newer.meta(), Snapshots.content(60, 0, 200), FINISH_OLDER, ops);
        Snapshots.finish(sameId, ops).close();
        Snapshots.checkCurrent(store, sameId.meta(), Snapshots.content(61, 0, 50), FINISH, ops);
        final SnapshotSink lowerTerm = store.begin(Snapshots.meta("4-90-lower-term", 4, 90));
        Snapshots.write(lowerTerm, 90, 0, 10, ops);
        Snapshots.expectThrows(RuntimeException.class, FINISH_OLDER, "finish() of 4-90 after 5-60 (log ids order by term first)",
            lowerTerm::finish, ops);
        Snapshots.checkCurrent(store, sameId.meta(), Snapshots.content(61, 0, 50), FINISH_OLDER, ops);
    }

    /** A reader stays valid after a newer snapshot becomes current. */
    @Test
    public void readerValidAfterNewerSnapshot() throws Exception {
        final OpLog ops = ops();
        final SnapshotStore store = snapshots("snapshots");
        final SnapshotMeta first = Snapshots.finishNew(store, Snapshots.meta("6-60-first", 6, 60), 6, 4000, ops);
        ops.add("current() (kept open)");
        final SnapshotReader old = store.current().orElseThrow();
        try {
            final SnapshotMeta second = Snapshots.finishNew(store, Snapshots.meta("6-70-second", 6, 70), 7, 1000, ops);
            final SnapshotMeta third = Snapshots.finishNew(store, Snapshots.meta("7-80-third", 7, 80), 8, 10, ops);
            Snapshots.checkReader(old, first, Snapshots.content(6, 0, 4000), READER_VALID, ops);
        } finally {
            ops.add("reader.close(); reader.close()");
            old.close();
            old.close();
        }
        Snapshots.checkCurrent(store, Snapshots.meta("7-80-third", 7, 80), Snapshots.content(8, 0, 10), FINISH, ops);
    }

    /** The current snapshot is back after close and reopen; close aborts open sinks and is idempotent. */
    @Test
    public void snapshotReopenAfterClose() throws Exception {
        final OpLog ops = ops();
        final Path dir = dir("snapshots");
        final SnapshotStore store = factory.openSnapshotStore(dir);
        final SnapshotMeta sink = Snapshots.finishNew(store, Snapshots.meta("8-80-a", 8, 80), 8, 3000, ops);
        final SnapshotSink open = store.begin(Snapshots.meta("9-90-open", 9, 90));
        Snapshots.write(open, 9, 0, 3000, ops);
        ops.add("close(); close()");
        store.close();
        store.close();
        Snapshots.expectThrows(IllegalStateException.class, SNAPSHOT_CLOSE, "write on a sink open at close",
            () -> open.write(3000, ByteBuffer.wrap(new byte[1])), ops);
        ops.add("reopen");
        final SnapshotStore reopened = factory.openSnapshotStore(dir);
        opened.add(reopened);
        Snapshots.checkCurrent(reopened, sink, Snapshots.content(8, 0, 3000), FINISH_DURABLE, ops);
    }

    /** A crash before finish leaves the previous snapshot; after finish, the new one. */
    @Test
    @NeedsFault(Fault.CRASH)
    public void snapshotCrashBeforeAndAfterFinish() throws Exception {
        assumeFault(Fault.CRASH);
        final OpLog ops = ops();
        final Path dir = dir("snapshots");
        SnapshotStore store = factory.openSnapshotStore(dir);
        final SnapshotMeta first = Snapshots.finishNew(store, Snapshots.meta("10-100-a", 10, 100), 10, 5000, ops);
        final SnapshotSink second = store.begin(Snapshots.meta("11-110-b", 11, 110));
        Snapshots.write(second, 11, 0, 5000, ops);
        ops.add("crash before finish; reopen");
        factory.crash(store, dir);
        store = factory.openSnapshotStore(dir);
        Snapshots.checkCurrent(store, first, Snapshots.content(10, 0, 5000), CRASH_BEFORE_FINISH, ops);
        final SnapshotMeta third = Snapshots.finishNew(store, Snapshots.meta("12-120-c", 12, 120), 12, 2000, ops);
        ops.add("crash after finish; reopen");
        factory.crash(store, dir);
        store = factory.openSnapshotStore(dir);
        opened.add(store);
        Snapshots.checkCurrent(store, third, Snapshots.content(12, 0, 2000), FINISH_DURABLE, ops);
    }

    /**
     * A snapshot read from one store in chunks and written to another store's sink out of order, with repeats
     * and a resumed transfer from {@code contiguousBytes}, arrives identical.
     */
    @Test
    public void snapshotTransferBetweenTwoStores() throws Exception {
        final OpLog ops = ops();
        final SnapshotStore source = snapshots("source");
        final SnapshotStore target = snapshots("target");
        final SnapshotMeta meta = Snapshots.meta("13-130-t", 13, 130);
        final SnapshotSink build = source.begin(meta);
        final int size = 100_000 + 123;
        Snapshots.write(build, 13, 0, size, ops);
        Snapshots.finish(build, ops).close();
        ops.add("transfer in 4 KiB chunks: the first half in order, resume from contiguousBytes, the rest shuffled and repeated");
        try (SnapshotReader reader = source.current().orElseThrow()) {
            final SnapshotSink sink = target.begin(reader.meta());
            final int chunk = 4096;
            final List<Long> positions = new ArrayList<>();
            for (long p = 0; p < reader.size(); p += chunk) {
                positions.add(p);
            }
            final int half = positions.size() / 2;
            for (int i = 0; i < half; i++) {
                copyChunk(reader, sink, positions.get(i), chunk, ops);
            }
            final long resumeAt = sink.contiguousBytes();
            ops.check(resumeAt == (long) half * chunk, TRANSFER, "contiguousBytes() = " + resumeAt + " after " + half
                + " chunks in order");
            final List<Long> rest = new ArrayList<>(positions.subList(half, positions.size()));
            rest.addAll(positions.subList(half, half + 3));
            Collections.shuffle(rest, new Random(13));
            for (long p : rest) {
                copyChunk(reader, sink, p, chunk, ops);
            }
            ops.check(sink.contiguousBytes() == reader.size(), TRANSFER, "contiguousBytes() = " + sink.contiguousBytes()
                + " after every chunk, size " + reader.size());
            try (SnapshotReader received = Snapshots.finish(sink, ops)) {
                Snapshots.checkReader(received, meta, Snapshots.content(13, 0, size), TRANSFER, ops);
            }
        }
        Snapshots.checkCurrent(target, meta, Snapshots.content(13, 0, size), TRANSFER, ops);
    }

    /** An injected write failure throws a retryable StorageException; the sink stays usable and the retry lands. */
    @Test
    @NeedsFault(Fault.SNAPSHOT_WRITE_FAILURE)
    public void snapshotWriteFailureIsRetryable() throws Exception {
        assumeFault(Fault.SNAPSHOT_WRITE_FAILURE);
        final OpLog ops = ops();
        final SnapshotStore store = snapshots("snapshots");
        final SnapshotSink sink = store.begin(Snapshots.meta("14-140-a", 14, 140));
        Snapshots.write(sink, 14, 0, 1000, ops);
        ops.add("inject: next write fails");
        factory.failNextSnapshotWrite(store);
        ops.add("write(1000, 1000 bytes) (fails)");
        try {
            sink.write(1000, ByteBuffer.wrap(Snapshots.content(14, 1000, 1000)));
            throw ops.failure(WRITE_RETRYABLE, "the injected write failure did not surface", null);
        } catch (StorageException e) {
            ops.check(e.isRetryable(), WRITE_RETRYABLE, "the write failed with a fatal " + e);
        }
        ops.check(sink.contiguousBytes() == 1000, StorageContracts.FAILURE_STATE, "contiguousBytes() = "
            + sink.contiguousBytes() + " after the failed write at 1000; only [0, 1000) was written");
        Snapshots.checkCurrent(store, null, null, StorageContracts.FAILURE_STATE, ops);
        Snapshots.write(sink, 14, 1000, 1000, ops);
        try (SnapshotReader reader = Snapshots.finish(sink, ops)) {
            Snapshots.checkReader(reader, sink.meta(), Snapshots.content(14, 0, 2000), WRITE_RETRYABLE, ops);
        }
    }

    /** A finish that cannot be made durable throws StorageException and the previous snapshot stays current. */
    @Test
    @NeedsFault(Fault.SNAPSHOT_FINISH_FAILURE)
    public void snapshotFinishFailureKeepsThePrevious() throws Exception {
        assumeFault(Fault.SNAPSHOT_FINISH_FAILURE);
        final OpLog ops = ops();
        final Path dir = dir("snapshots");
        final SnapshotStore store = factory.openSnapshotStore(dir);
        final SnapshotMeta first = Snapshots.finishNew(store, Snapshots.meta("15-150-a", 15, 150), 15, 1000, ops);
        final SnapshotSink second = store.begin(Snapshots.meta("16-160-b", 16, 160));
        Snapshots.write(second, 16, 0, 1000, ops);
        ops.add("inject: next finish fails");
        factory.failNextSnapshotFinish(store);
        Snapshots.expectThrows(StorageException.class, FINISH_FAILED, "finish() (fails)", second::finish, ops);
        Snapshots.checkCurrent(store, first, Snapshots.content(15, 0, 1000), FINISH_FAILED, ops);
        ops.add("close; reopen");
        store.close();
        final SnapshotStore reopened = factory.openSnapshotStore(dir);
        opened.add(reopened);
        Snapshots.checkCurrent(reopened, first, Snapshots.content(15, 0, 1000), FINISH_FAILED, ops);
    }

    /**
     * Sinks written and finished from several threads at once, with another thread reading {@code current()}:
     * every reader sees one whole finished snapshot, and the newest one ends current.
     */
    @Test
    public void snapshotSinksFromSeveralThreads() throws Exception {
        final OpLog ops = ops();
        final SnapshotStore store = snapshots("snapshots");
        final int writers = 3;
        final int size = 64 * 1024;
        final AtomicReference<String> problem = new AtomicReference<>();
        final AtomicBoolean done = new AtomicBoolean();
        ops.add(writers + " threads each write 4 snapshots (shuffled 1 KiB chunks) and finish them at once; one thread reads"
            + " current()");
        final Thread reader = new Thread(() -> {
            while (!done.get() && problem.get() == null) {
                try {
                    final Optional<SnapshotReader> current = store.current();
                    if (current.isPresent()) {
                        try (SnapshotReader r = current.get()) {
                            final byte[] bytes = r.openStream().readAllBytes();
                            final long salt = r.meta().lastLogId().index();
                            if (!java.util.Arrays.equals(bytes, Snapshots.content(salt, 0, size))) {
                                problem.compareAndSet(null, "current() " + r.meta().snapshotId() + " read " + bytes.length
                                    + " bytes that are not the ones written");
                            }
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    problem.compareAndSet(null, "current() or its reader threw " + e);
                }
            }
        }, "conformance-snapshot-reader");
        final List<Thread> threads = new ArrayList<>();
        final java.util.concurrent.CyclicBarrier finishTogether = new java.util.concurrent.CyclicBarrier(writers);
        for (int w = 0; w < writers; w++) {
            final int writer = w;
            threads.add(new Thread(() -> {
                final Random random = new Random(writer);
                for (int round = 0; round < 4 && problem.get() == null; round++) {
                    final long index = 10 + round * writers + writer;
                    final SnapshotSink sink = store.begin(Snapshots.meta("t" + writer + "-" + round, 1, index));
                    final List<Integer> chunks = new ArrayList<>();
                    for (int p = 0; p < size; p += 1024) {
                        chunks.add(p);
                    }
                    Collections.shuffle(chunks, random);
                    try {
                        for (int p : chunks) {
                            sink.write(p, ByteBuffer.wrap(Snapshots.content(index, p, 1024)));
                        }
                    } catch (RuntimeException e) {
                        problem.compareAndSet(null, "write to " + sink.meta().snapshotId() + " threw " + e);
                        return;
                    }
                    try {
                        finishTogether.await(10, TimeUnit.SECONDS); // finishes race each other, where stores break
                    } catch (java.util.concurrent.BrokenBarrierException | java.util.concurrent.TimeoutException e) {
                        // a writer stopped: finish alone
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    try (SnapshotReader finished = sink.finish()) {
                        if (!finished.meta().equals(sink.meta())) {
                            problem.compareAndSet(null, "finish() of " + sink.meta().snapshotId() + " returned a reader of "
                                + finished.meta().snapshotId());
                        }
                    } catch (IllegalStateException olderThanCurrentMeanwhile) {
                        // the one exception allowed: another thread finished a newer snapshot first; check that it did
                        final SnapshotMeta newer;
                        try (SnapshotReader r = store.current().orElse(null)) {
                            newer = r == null ? null : r.meta();
                        }
                        if (newer == null || !newer.lastLogId().isNewerThan(sink.meta().lastLogId())) {
                            problem.compareAndSet(null, "finish() of " + sink.meta().snapshotId() + " at " + sink.meta().lastLogId()
                                + " threw " + olderThanCurrentMeanwhile + " but the current snapshot is "
                                + (newer == null ? "none" : newer.snapshotId() + " at " + newer.lastLogId())
                                + " (only a snapshot older than the current one may be refused)");
                        }
                    } catch (RuntimeException e) {
                        problem.compareAndSet(null, "finish() of " + sink.meta().snapshotId() + " threw " + e
                            + " (only IllegalStateException, for a snapshot older than the current one, is allowed)");
                    }
                }
            }, "conformance-snapshot-writer-" + w));
        }
        reader.setDaemon(true);
        reader.start();
        for (Thread t : threads) {
            t.setDaemon(true);
            t.start();
        }
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(30));
        }
        done.set(true);
        reader.join(TimeUnit.SECONDS.toMillis(30));
        ops.check(problem.get() == null, StorageContracts.SNAPSHOT_THREADS, String.valueOf(problem.get()));
        final long newest = 10 + 3 * writers + writers - 1;
        Snapshots.checkCurrent(store, Snapshots.meta("t" + (writers - 1) + "-3", 1, newest), Snapshots.content(newest, 0, size),
            StorageContracts.FINISH_OLDER, StorageContracts.READER, ops);
    }

    /**
     * An aborted sink, replaced snapshots and a snapshot refused as older leave no files behind: with no reader
     * open, the directory holds
     * little more than the current snapshot.
     */
    @Test
    public void abortedAndReplacedSnapshotsLeaveNoFiles() throws Exception {
        final OpLog ops = ops();
        final Path dir = dir("snapshots");
        final SnapshotStore store = factory.openSnapshotStore(dir);
        opened.add(store);
        final int size = 256 * 1024;
        for (int i = 1; i <= 4; i++) {
            Snapshots.finishNew(store, Snapshots.meta("20-" + i, 20, i), i, size, ops);
        }
        final long replaced = directoryBytes(dir);
        ops.check(replaced < 2L * size, StorageContracts.SNAPSHOT_FILES, dir + " holds " + replaced + " bytes after 4 snapshots of "
            + size + " bytes replaced one another; at most one snapshot (and some metadata) may remain");
        final SnapshotSink aborted = store.begin(Snapshots.meta("21-1-aborted", 21, 1));
        Snapshots.write(aborted, 21, 0, size, ops);
        ops.add("abort()");
        aborted.abort();
        final long afterAbort = directoryBytes(dir);
        ops.check(afterAbort <= replaced + size / 4, StorageContracts.SNAPSHOT_FILES, dir + " grew from " + replaced + " to "
            + afterAbort + " bytes when a sink of " + size + " bytes was aborted");
        final SnapshotSink older = store.begin(Snapshots.meta("19-9-older", 19, 9));
        Snapshots.write(older, 19, 0, size, ops);
        Snapshots.expectThrows(IllegalStateException.class, FINISH_OLDER, "finish() of a snapshot older than the current",
            older::finish, ops);
        final long afterRefused = directoryBytes(dir);
        ops.check(afterRefused <= replaced + size / 4, StorageContracts.SNAPSHOT_FILES, dir + " grew from " + replaced + " to "
            + afterRefused + " bytes when a snapshot of " + size + " bytes was refused as older");
    }

    private static long directoryBytes(Path dir) throws IOException {
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
            long total = 0;
            for (Path p : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(p)) {
                    total += Files.size(p);
                }
            }
            return total;
        }
    }

    /** Seeded random sink operations (begin, writes, finish, abort, reopen, crash) against a model. */
    @Test
    @NeedsFault(value = Fault.CRASH, partly = true)
    public void randomSnapshotOperationsMatchTheModel() throws Exception {
        final boolean crash = factory.unsupported(Fault.CRASH).isEmpty();
        final int operations = Integer.getInteger("raft.conformance.ops", 400) / 2;
        final int count = Math.max(1, Integer.getInteger("raft.conformance.seeds", 12) / 2);
        for (long seed : seeds(count)) {
            final OpLog ops = new OpLog(storeName(), "seed " + seed + ": -Draft.conformance.seed=" + seed
                + " -Draft.conformance.ops=" + (operations * 2) + " -Dtest=" + caseName.replace('.', '#'));
            current = ops;
            try (SnapshotModelRun run = new SnapshotModelRun(factory, dir("random-snapshots-" + seed), ops, seed, crash)) {
                run.run(operations);
            }
        }
    }

    // ------------------------------------------------------------------------------------------ helpers

    private static void copyChunk(SnapshotReader reader, SnapshotSink sink, long position, int chunk, OpLog ops) {
        final ByteBuffer buffer = ByteBuffer.allocate(chunk);
        final int n = reader.read(position, buffer);
        ops.check(n > 0, TRANSFER, "source read(" + position + ") returned " + n);
        buffer.flip();
        sink.write(position, buffer);
        ops.check(!buffer.hasRemaining(), StorageContracts.SINK_WRITE_CONSUMES, "src not consumed by write(" + position + ")");
    }

    private long[] seeds(int count) {
        final Long only = Long.getLong("raft.conformance.seed");
        if (only != null) {
            return new long[] {only};
        }
        final long[] seeds = new long[count];
        for (int i = 0; i < count; i++) {
            seeds[i] = 1000 + i;
        }
        return seeds;
    }

    private void assumeFault(Fault fault) {
        final Optional<String> reason = factory.unsupported(fault);
        Assumptions.assumeTrue(reason.isEmpty(), () -> "skipped, needs fault " + fault + ": " + reason.orElse("")
            + " (faultSupportReport lists every case an unsupported fault skips)");
    }

    private String storeName() {
        try {
            final boolean named = factory.getClass().getMethod("toString").getDeclaringClass() != Object.class;
            return named ? factory.toString() : factory.getClass().getName();
        } catch (NoSuchMethodException e) {
            return factory.getClass().getName();
        }
    }

    private OpLog ops() {
        current = new OpLog(storeName(), "");
        return current;
    }

    private LogHarness log() {
        final LogHarness h = new LogHarness(factory, dir("log"), ops());
        opened.add(h);
        return h;
    }

    /** A log store opened without the harness (closed after the case). */
    private LogStore rawLog(String name) throws Exception {
        final LogStore store = factory.openLogStore(dir(name));
        opened.add(store);
        return store;
    }

    private SnapshotStore snapshots(String name) throws Exception {
        final SnapshotStore store = factory.openSnapshotStore(dir(name));
        opened.add(store);
        return store;
    }

    private Path dir(String name) {
        try {
            return Files.createDirectories(root.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the case directory " + root.resolve(name), e);
        }
    }

    /**
     * Turns an exception a case did not expect (a store call the contract allows threw) into a failure that
     * names the contract and lists the case's operations. Registered by the suite; not for direct use.
     */
    public static final class UnexpectedExceptions implements TestExecutionExceptionHandler {
        /** Created by JUnit. */
        public UnexpectedExceptions() {
        }

        @Override
        public void handleTestExecutionException(ExtensionContext context, Throwable thrown) throws Throwable {
            final Object instance = context.getTestInstance().orElse(null);
            if (thrown instanceof AssertionError || thrown instanceof TestAbortedException
                || !(instance instanceof StorageConformanceSuite suite) || suite.current == null) {
                throw thrown;
            }
            final boolean snapshot = context.getRequiredTestMethod().getName().toLowerCase(java.util.Locale.ROOT)
                .contains("snapshot");
            throw suite.current.failure(snapshot ? StorageContracts.SNAPSHOT_ALLOWED : StorageContracts.LOG_ALLOWED,
                "threw " + thrown, thrown);
        }
    }
}
