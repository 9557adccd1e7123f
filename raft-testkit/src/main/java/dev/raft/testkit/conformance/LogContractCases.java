package dev.raft.testkit.conformance;

import static dev.raft.testkit.conformance.StorageContracts.APPEND_COPIES;
import static dev.raft.testkit.conformance.StorageContracts.LOG_CLOSED;
import static dev.raft.testkit.conformance.StorageContracts.LOG_EMPTY;
import static dev.raft.testkit.conformance.StorageContracts.MEMBERSHIP_ENTRIES;
import static dev.raft.testkit.conformance.StorageContracts.READ_DST;
import static dev.raft.testkit.conformance.StorageContracts.READ_ENTRIES;

import dev.raft.api.Entry;
import dev.raft.api.EntryBatch;
import dev.raft.api.EntryType;
import dev.raft.api.LogId;
import dev.raft.api.Membership;
import dev.raft.api.Vote;
import dev.raft.api.storage.LogStore;
import java.util.List;

/**
 * The bodies of {@link StorageConformanceSuite}'s cases of the log contract: state, append, read, {@code termAt},
 * purge, truncate, vote, membership entries, close and flush callbacks, each on a fresh {@link LogHarness}. Each
 * is documented at the suite's case of the same name.
 */
final class LogContractCases {
    private LogContractCases() {
    }

    static void logInitialStateIsEmpty(LogHarness h) {
        h.checkAll(LOG_EMPTY);
        h.read(1, 1, Integer.MAX_VALUE);
        h.read(0, 1, Integer.MAX_VALUE);
        h.read(1, 2, Integer.MAX_VALUE);
        h.termAt(1);
        h.truncate(2);
        h.truncate(1);
        h.checkAll(LOG_EMPTY);
    }

    static void appendAndReadBack(LogHarness h) {
        h.append(1, 1);
        h.append(1, 5);
        h.append(2, 30);
        h.append(3, 64);
        h.read(1, h.modelLast().index() + 1, Integer.MAX_VALUE);
        h.checkAll(READ_ENTRIES);
    }

    static void appendCopiesTheBatch(LogHarness h) {
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

    static void readRanges(LogHarness h) {
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

    static void readClampedByMaxBytes(LogHarness h) {
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

    static void readOutOfRangeRejected(LogHarness h) {
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

    static void termAtAndIds(LogHarness h) {
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

    static void purgeWithinTheLog(LogHarness h) {
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

    static void purgeToTheEndAndBeyond(LogHarness h) {
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

    static void appendAfterPurge(LogHarness h) {
        h.append(1, 8);
        h.purge(LogId.of(1, 5));
        h.append(2, 4);
        h.append(Entries.batch(2, 5, 2));
        h.append(Entries.batch(2, 14, 2));
        h.purge(LogId.of(2, 12));
        h.append(2, 3);
        h.checkAll(READ_ENTRIES);
    }

    static void truncateAfterAtBeforeTheEndAndEverything(LogHarness h) {
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

    static void appendRejections(LogHarness h) {
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

    static void voteSaveAndReadOneVotePerTerm(LogHarness h) {
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

    static void membershipEntriesReadBackIntact(LogHarness h) {
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

    static void closedLogStoreRejectsCalls(LogHarness h) {
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

    static void flushCallbacksReportEveryAppend(LogHarness h) {
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
}
