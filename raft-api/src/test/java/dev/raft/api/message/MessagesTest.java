package dev.raft.api.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.Entry;
import dev.raft.api.EntryType;
import dev.raft.api.LogId;
import dev.raft.api.Membership;
import dev.raft.api.SnapshotMeta;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class MessagesTest {
    @Test
    void everyTypeHasAnInstanceOfThatType() {
        for (MessageType type : MessageType.values()) {
            assertEquals(type, RaftMessage.newInstance(type).type());
        }
    }

    @Test
    void appendEntriesCopyIsDetached() {
        final AppendEntriesRequest req = new AppendEntriesRequest().set(1, 2, 5, 9, 4, 8);
        req.entries().add(5, 10, EntryType.NORMAL, new byte[] {1, 2, 3});
        final AppendEntriesRequest copy = req.copy();
        req.set(1, 3, 6, 0, 0, 0);
        assertEquals(2, copy.to());
        assertEquals(9, copy.prevLogIndex());
        assertEquals(4, copy.prevLogTerm());
        assertEquals(8, copy.leaderCommit());
        assertEquals(Entry.normal(5, 10, new byte[] {1, 2, 3}), copy.entries().entry(0).toEntry());
        assertTrue(req.entries().isEmpty(), "set clears the entries");
    }

    @Test
    void responsesCopyEveryField() {
        final AppendEntriesResponse reject = new AppendEntriesResponse().reject(2, 1, 5, 9, 3, 7, 12);
        assertEquals(reject.toString(), reject.copy().toString());
        final AppendEntriesResponse ok = new AppendEntriesResponse().success(2, 1, 5, 11, 11);
        assertTrue(ok.copy().isSuccess());
        assertEquals(11, ok.copy().matchIndex());
        final VoteRequest vote = new VoteRequest().set(1, 2, 3, 4, 2, true, false);
        assertEquals(vote.toString(), vote.copy().toString());
        final VoteResponse granted = new VoteResponse().set(2, 1, 3, true, true);
        assertTrue(granted.copy().isGranted() && granted.copy().isPreVote());
        assertTrue(new TimeoutNowResponse().set(2, 1, 3, true).copy().isAccepted());
        assertEquals(3, new TimeoutNowRequest().set(1, 2, 3).copy().term());
    }

    @Test
    void installSnapshotCopiesData() {
        final SnapshotMeta meta = new SnapshotMeta("1-10-a", LogId.of(1, 10), Membership.of(1, 2, 3));
        final byte[] data = {9, 8, 7, 6};
        final InstallSnapshotRequest req = new InstallSnapshotRequest()
            .set(1, 2, 4, meta, 4096, new UnsafeBuffer(data), 1, 3, true);
        data[1] = 0;
        final InstallSnapshotRequest copy = req.copy();
        assertNotSame(req.dataBuffer(), copy.dataBuffer());
        assertEquals(3, copy.dataLength());
        assertEquals(8, copy.dataBuffer().getByte(0));
        assertEquals(6, copy.dataBuffer().getByte(2));
        assertEquals(4096, copy.chunkOffset());
        assertEquals("1-10-a", copy.snapshotId());
        assertTrue(copy.isDone());
        final InstallSnapshotResponse resp = new InstallSnapshotResponse()
            .set(2, 1, 4, "1-10-a", 4096, InstallSnapshotResponse.Status.MISMATCH, 0);
        assertEquals(resp.toString(), resp.copy().toString());
    }

    @Test
    void headerValidationNamesTheType() {
        final VoteRequest bad = new VoteRequest().set(1, 1, 1, 0, 0, false, false);
        assertTrue(assertThrows(IllegalArgumentException.class, bad::validateHeader).getMessage().startsWith("VOTE_REQUEST"));
        new VoteRequest().set(1, 2, 1, 0, 0, false, false).validateHeader();
    }

    @Test
    void snapshotMetaRejectsBadIds() {
        final Membership m = Membership.of(1);
        assertThrows(IllegalArgumentException.class, () -> new SnapshotMeta("", LogId.NONE, m));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SnapshotMeta("a b", LogId.NONE, m))
            .getMessage().contains("character 1"));
        assertThrows(IllegalArgumentException.class, () -> new SnapshotMeta("x".repeat(256), LogId.NONE, m));
        assertEquals("2-9-z", SnapshotMeta.idFor(LogId.of(2, 9), 35));
    }
}
