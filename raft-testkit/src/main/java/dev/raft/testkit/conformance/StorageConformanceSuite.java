package dev.raft.testkit.conformance;

import dev.raft.api.storage.LogStore;
import dev.raft.api.storage.SnapshotStore;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
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
    /** The running case's factory, directories, stores and operations. */
    private ConformanceFixture fixture;

    /** The factory of the stores under test; called once per case. */
    protected abstract StorageFactory factory();

    /** Creates the factory and the case's root directory. */
    @BeforeEach
    public final void setUpConformanceCase(@TempDir Path tempDir, TestInfo info) {
        fixture = new ConformanceFixture(factory(), tempDir,
            getClass().getSimpleName() + "." + info.getTestMethod().map(m -> m.getName()).orElse("?"));
    }

    /** Closes every store the case opened (quietly: a broken store may throw). */
    @AfterEach
    public final void tearDownConformanceCase() {
        fixture.closeAll();
    }

    // ------------------------------------------------------------------------------------------ log

    /** A new store is empty: ids NONE, vote INITIAL, {@code termAt(0) == 0}, empty reads only. */
    @Test
    public void logInitialStateIsEmpty() {
        LogContractCases.logInitialStateIsEmpty(fixture.log());
    }

    /** Appended batches of every entry type and payload size read back intact; a batch of one entry too. */
    @Test
    public void appendAndReadBack() {
        LogContractCases.appendAndReadBack(fixture.log());
    }

    /** The store copies the batch: refilling it after append changes nothing stored. */
    @Test
    public void appendCopiesTheBatch() {
        LogContractCases.appendCopiesTheBatch(fixture.log());
    }

    /** Empty ranges, single entries, sub-ranges, the whole log, and reading after entries already in dst. */
    @Test
    public void readRanges() {
        LogContractCases.readRanges(fixture.log());
    }

    /** {@code maxBytes} stops the copy once reached, and at least one entry is copied (maxBytes 0 or 1 too). */
    @Test
    public void readClampedByMaxBytes() {
        LogContractCases.readClampedByMaxBytes(fixture.log());
    }

    /** Ranges outside {@code (lastPurged, last + 1]} or with {@code from > to} are rejected, also after a purge. */
    @Test
    public void readOutOfRangeRejected() {
        LogContractCases.readOutOfRangeRejected(fixture.log());
    }

    /** {@code termAt} over the whole range, at the purge point, and rejected outside. */
    @Test
    public void termAtAndIds() {
        LogContractCases.termAtAndIds(fixture.log());
    }

    /** Purges inside the log, at and below the purge point (no-op), and with a wrong term (rejected). */
    @Test
    public void purgeWithinTheLog() {
        LogContractCases.purgeWithinTheLog(fixture.log());
    }

    /** Purge up to the last entry, then beyond the end (after a snapshot install): empty log, lastLogId == upTo. */
    @Test
    public void purgeToTheEndAndBeyond() {
        LogContractCases.purgeToTheEndAndBeyond(fixture.log());
    }

    /** Appending after purges continues the log; wrong starts are rejected. */
    @Test
    public void appendAfterPurge() {
        LogContractCases.appendAfterPurge(fixture.log());
    }

    /** Truncation after the end (no-op), at the last entry, in the middle, at the first entry, and rejections. */
    @Test
    public void truncateAfterAtBeforeTheEndAndEverything() {
        LogContractCases.truncateAfterAtBeforeTheEndAndEverything(fixture.log());
    }

    /** Empty, overlapping, gapped and term-decreasing batches are rejected and change nothing. */
    @Test
    public void appendRejections() {
        LogContractCases.appendRejections(fixture.log());
    }

    /** Votes are read back; terms never decrease; one candidate per term (setting it once is allowed). */
    @Test
    public void voteSaveAndReadOneVotePerTerm() {
        LogContractCases.voteSaveAndReadOneVotePerTerm(fixture.log());
    }

    /** Membership entries (single, joint, with learners) are stored and decode back to the same membership. */
    @Test
    public void membershipEntriesReadBackIntact() {
        LogContractCases.membershipEntriesReadBackIntact(fixture.log());
    }

    /** Calls after close throw IllegalStateException; close is idempotent. */
    @Test
    public void closedLogStoreRejectsCalls() {
        LogContractCases.closedLogStoreRejectsCalls(fixture.log());
    }

    /**
     * Every append's flush callback is eventually called, with strictly increasing indexes that were appended,
     * and none at or above a truncation point until entries are appended there again.
     */
    @Test
    public void flushCallbacksReportEveryAppend() {
        LogContractCases.flushCallbacksReportEveryAppend(fixture.log());
    }

    /** After a clean close (and the flush of every append), everything comes back: entries, purge point, vote. */
    @Test
    public void reopenAfterCloseKeepsEverything() {
        LogDurabilityCases.reopenAfterCloseKeepsEverything(fixture);
    }

    /**
     * A crash keeps every entry reported flushed, the vote, truncations and purges, and leaves a prefix of what
     * was appended.
     */
    @Test
    @NeedsFault(Fault.CRASH)
    public void crashKeepsFlushedEntriesVoteTruncateAndPurge() {
        LogDurabilityCases.crashKeepsFlushedEntriesVoteTruncateAndPurge(fixture);
    }

    /** A truncated entry never comes back after a crash, even when new entries are appended in its place. */
    @Test
    @NeedsFault(Fault.CRASH)
    public void crashAfterTruncateNeverResurrects() {
        LogDurabilityCases.crashAfterTruncateNeverResurrects(fixture);
    }

    /** A crash that tears the unflushed tail leaves a prefix with every flushed entry and no torn entry. */
    @Test
    @NeedsFault(Fault.TORN_CRASH)
    public void crashTearingTheUnflushedTail() {
        LogDurabilityCases.crashTearingTheUnflushedTail(fixture);
    }

    /** Reader threads concurrent with appends, truncates and purges never see torn, phantom or removed entries. */
    @Test
    public void concurrentReadsSeeNoTornOrPhantomEntries() throws Exception {
        final OpLog ops = fixture.ops();
        new ConcurrentReadRun(fixture.rawLog("concurrent-log"), ops, 42).run(2, Long.getLong("raft.conformance.concurrencyMillis", 400));
    }

    /** The largest entry the store declares ({@link StorageFactory#maxEntryBytes()}) reads back intact, also after reopen. */
    @Test
    public void largestEntryKeptIntact() {
        PrincipleCases.largestEntry(fixture.log(), fixture.factory().maxEntryBytes());
    }

    /**
     * Every range precondition ({@code termAt}, {@code read}, {@code truncateFrom}) holds on both sides of its
     * boundary after a purge, after a truncate, after a reopen and after a crash.
     */
    @Test
    @NeedsFault(value = Fault.CRASH, partly = true)
    public void preconditionsOnBothSidesAfterPurgeTruncateReopenAndCrash() {
        LogDurabilityCases.preconditionsOnBothSidesAfterPurgeTruncateReopenAndCrash(fixture);
    }

    /** Two appends with two different callbacks: both callbacks are told. */
    @Test
    public void everyAppendsCallbackIsTold() throws Exception {
        final OpLog ops = fixture.ops();
        PrincipleCases.everyCallbackTold(fixture.rawLog("callbacks"), ops);
    }

    /** The longest snapshot id and the largest chunks are kept intact, also after reopen. */
    @Test
    public void longestSnapshotIdAndLargestChunksKeptIntact() throws Exception {
        SnapshotDurabilityCases.longestSnapshotIdAndLargestChunksKeptIntact(fixture);
    }

    /**
     * Lists, for each fault the factory declares unsupported, the cases that skips (skipped itself, with that
     * list as its reason, when any fault is unsupported).
     */
    @Test
    public void faultSupportReport() {
        final String report = PrincipleCases.faultReport(getClass(), fixture.factory());
        if (!report.isEmpty()) {
            System.out.println(fixture.storeName() + ":\n" + report);
            Assumptions.abort(report);
        }
    }

    /** Thousands of seeded random operations, valid and invalid, with reopens and crashes, against the model. */
    @Test
    @NeedsFault(value = {Fault.CRASH, Fault.TORN_CRASH}, partly = true)
    public void randomLogOperationsMatchTheModel() {
        LogDurabilityCases.randomLogOperationsMatchTheModel(fixture);
    }

    // ------------------------------------------------------------------------------------------ snapshots

    /** A new snapshot store has no current snapshot. */
    @Test
    public void snapshotStoreInitiallyEmpty() throws Exception {
        SnapshotSinkCases.snapshotStoreInitiallyEmpty(fixture);
    }

    /** Finish makes the snapshot current with its meta (membership included), size and bytes. */
    @Test
    public void snapshotFinishMakesItCurrent() throws Exception {
        SnapshotSinkCases.snapshotFinishMakesItCurrent(fixture);
    }

    /** Chunks written out of order and repeated give the same bytes; contiguousBytes follows the gaps. */
    @Test
    public void snapshotChunksOutOfOrderAndRepeated() throws Exception {
        SnapshotSinkCases.snapshotChunksOutOfOrderAndRepeated(fixture);
    }

    /** Finishing with a gap below the highest written byte throws IllegalStateException; nothing becomes current. */
    @Test
    public void snapshotGapRejectedAtFinish() throws Exception {
        SnapshotSinkCases.snapshotGapRejectedAtFinish(fixture);
    }

    /** Abort drops the snapshot, is idempotent and a no-op after finish; a finished or aborted sink refuses use. */
    @Test
    public void snapshotAbortAndSinkState() throws Exception {
        SnapshotSinkCases.snapshotAbortAndSinkState(fixture);
    }

    /** Of several open sinks the last to finish is current, unless older than the current one (then refused). */
    @Test
    public void olderSnapshotRefusedAtFinish() throws Exception {
        SnapshotSinkCases.olderSnapshotRefusedAtFinish(fixture);
    }

    /** A reader stays valid after a newer snapshot becomes current. */
    @Test
    public void readerValidAfterNewerSnapshot() throws Exception {
        SnapshotSinkCases.readerValidAfterNewerSnapshot(fixture);
    }

    /** The current snapshot is back after close and reopen; close aborts open sinks and is idempotent. */
    @Test
    public void snapshotReopenAfterClose() throws Exception {
        SnapshotDurabilityCases.snapshotReopenAfterClose(fixture);
    }

    /** A crash before finish leaves the previous snapshot; after finish, the new one. */
    @Test
    @NeedsFault(Fault.CRASH)
    public void snapshotCrashBeforeAndAfterFinish() throws Exception {
        SnapshotDurabilityCases.snapshotCrashBeforeAndAfterFinish(fixture);
    }

    /**
     * A snapshot read from one store in chunks and written to another store's sink out of order, with repeats
     * and a resumed transfer from {@code contiguousBytes}, arrives identical.
     */
    @Test
    public void snapshotTransferBetweenTwoStores() throws Exception {
        SnapshotSinkCases.snapshotTransferBetweenTwoStores(fixture);
    }

    /** An injected write failure throws a retryable StorageException; the sink stays usable and the retry lands. */
    @Test
    @NeedsFault(Fault.SNAPSHOT_WRITE_FAILURE)
    public void snapshotWriteFailureIsRetryable() throws Exception {
        SnapshotDurabilityCases.snapshotWriteFailureIsRetryable(fixture);
    }

    /** A finish that cannot be made durable throws StorageException and the previous snapshot stays current. */
    @Test
    @NeedsFault(Fault.SNAPSHOT_FINISH_FAILURE)
    public void snapshotFinishFailureKeepsThePrevious() throws Exception {
        SnapshotDurabilityCases.snapshotFinishFailureKeepsThePrevious(fixture);
    }

    /**
     * Sinks written and finished from several threads at once, with another thread reading {@code current()}:
     * every reader sees one whole finished snapshot, and the newest one ends current.
     */
    @Test
    public void snapshotSinksFromSeveralThreads() throws Exception {
        ConcurrentSnapshotSinksCase.snapshotSinksFromSeveralThreads(fixture);
    }

    /**
     * An aborted sink, replaced snapshots and a snapshot refused as older leave no files behind: with no reader
     * open, the directory holds little more than the current snapshot.
     */
    @Test
    public void abortedAndReplacedSnapshotsLeaveNoFiles() throws Exception {
        SnapshotDurabilityCases.abortedAndReplacedSnapshotsLeaveNoFiles(fixture);
    }

    /** Seeded random sink operations (begin, writes, finish, abort, reopen, crash) against a model. */
    @Test
    @NeedsFault(value = Fault.CRASH, partly = true)
    public void randomSnapshotOperationsMatchTheModel() throws Exception {
        SnapshotDurabilityCases.randomSnapshotOperationsMatchTheModel(fixture);
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
                || !(instance instanceof StorageConformanceSuite suite) || suite.fixture.current() == null) {
                throw thrown;
            }
            final boolean snapshot = context.getRequiredTestMethod().getName().toLowerCase(java.util.Locale.ROOT)
                .contains("snapshot");
            throw suite.fixture.current().failure(snapshot ? StorageContracts.SNAPSHOT_ALLOWED : StorageContracts.LOG_ALLOWED,
                "threw " + thrown, thrown);
        }
    }
}
