package dev.raft.transport.aeron.internal.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.raft.api.EntryBatch;
import dev.raft.api.EntryType;
import dev.raft.api.LogId;
import dev.raft.api.Membership;
import dev.raft.api.RaftLimits;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.message.AppendEntriesRequest;
import dev.raft.api.message.AppendEntriesResponse;
import dev.raft.api.message.InstallSnapshotRequest;
import dev.raft.api.message.InstallSnapshotResponse;
import dev.raft.api.message.MessageType;
import dev.raft.api.message.RaftMessage;
import dev.raft.api.message.ReadIndexRequest;
import dev.raft.api.message.ReadIndexResponse;
import dev.raft.api.message.TimeoutNowRequest;
import dev.raft.api.message.TimeoutNowResponse;
import dev.raft.api.message.VoteRequest;
import dev.raft.api.message.VoteResponse;
import java.util.Random;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/** Test helpers: random messages of every type, exact frames, and field-by-field comparison. */
final class Messages {
    static final int CLUSTER = 7;
    static final Membership MEMBERS = Membership.of(1, 2, 3);

    private Messages() {
    }

    /** A random message of {@code type} from {@code from} to {@code to}, with up to {@code maxPayload} bytes of var-data. */
    static RaftMessage random(Random rnd, MessageType type, int from, int to, int maxPayload) {
        final long term = below(rnd);
        return switch (type) {
            case APPEND_ENTRIES_REQUEST -> {
                final long prevIndex = rnd.nextInt(1 << 30);
                final AppendEntriesRequest m = new AppendEntriesRequest().set(from, to, term, prevIndex,
                    prevIndex == 0 ? 0 : 1 + rnd.nextInt(1000), below(rnd)).readSeq(rnd.nextBoolean() ? 0
                    : rnd.nextLong() & Long.MAX_VALUE);
                final int count = rnd.nextInt(20);
                long entryTerm = 1 + rnd.nextInt(100);
                for (int i = 0; i < count; i++) {
                    entryTerm += rnd.nextInt(2);
                    m.entries().add(entryTerm, prevIndex + 1 + i, EntryType.fromCode(rnd.nextInt(3)),
                        randomBytes(rnd, rnd.nextInt(maxPayload + 1)));
                }
                yield m;
            }
            case APPEND_ENTRIES_RESPONSE -> (rnd.nextBoolean()
                ? new AppendEntriesResponse().success(from, to, term, below(rnd), below(rnd))
                : new AppendEntriesResponse().reject(from, to, term, below(rnd),
                    below(rnd), below(rnd), below(rnd))).readSeq(rnd.nextBoolean() ? 0 : rnd.nextLong() & Long.MAX_VALUE);
            case VOTE_REQUEST -> new VoteRequest().set(from, to, term, below(rnd),
                below(rnd), rnd.nextBoolean(), rnd.nextBoolean());
            case VOTE_RESPONSE -> new VoteResponse().set(from, to, term, rnd.nextBoolean(), rnd.nextBoolean());
            case INSTALL_SNAPSHOT_REQUEST -> {
                final byte[] data = randomBytes(rnd, rnd.nextInt(maxPayload + 1));
                final long lastIndex = 1 + (below(rnd) >> 1);
                final SnapshotMeta meta = new SnapshotMeta(randomId(rnd, 1 + rnd.nextInt(SnapshotMeta.MAX_ID_LENGTH)),
                    LogId.of(1 + rnd.nextInt(1 << 20), lastIndex), rnd.nextBoolean() ? MEMBERS
                        : Membership.of(new int[][] {{1, 2, 3}, {2, 3, 4}}, new int[] {5}));
                yield new InstallSnapshotRequest().set(from, to, term, meta, rnd.nextLong() & Long.MAX_VALUE,
                    new UnsafeBuffer(data), 0, data.length, rnd.nextBoolean());
            }
            case INSTALL_SNAPSHOT_RESPONSE -> new InstallSnapshotResponse().set(from, to, term,
                randomId(rnd, rnd.nextInt(SnapshotMeta.MAX_ID_LENGTH + 1)), rnd.nextLong() & Long.MAX_VALUE,
                InstallSnapshotResponse.Status.values()[rnd.nextInt(InstallSnapshotResponse.Status.values().length)],
                rnd.nextLong() & Long.MAX_VALUE);
            case TIMEOUT_NOW_REQUEST -> new TimeoutNowRequest().set(from, to, term);
            case TIMEOUT_NOW_RESPONSE -> new TimeoutNowResponse().set(from, to, term, rnd.nextBoolean());
            case READ_INDEX_REQUEST -> new ReadIndexRequest().set(from, to, term, rnd.nextLong() & Long.MAX_VALUE,
                rnd.nextBoolean());
            case READ_INDEX_RESPONSE -> new ReadIndexResponse().set(from, to, term, rnd.nextLong() & Long.MAX_VALUE,
                below(rnd), ReadIndexResponse.Status.values()[rnd.nextInt(ReadIndexResponse.Status.values().length)]);
        };
    }

    /** A random term or log index below its ceiling ({@link RaftLimits}: both are 2^62). */
    static long below(Random rnd) {
        return rnd.nextLong() & (RaftLimits.MAX_TERM - 1);
    }

    /** The benchmarks' AppendEntries from 1 to 2: {@code count} entries of {@code payloadBytes} zero bytes after 5-1000. */
    static AppendEntriesRequest appendEntries(int count, int payloadBytes) {
        final AppendEntriesRequest m = new AppendEntriesRequest().set(1, 2, 5, 1000, 5, 999);
        final byte[] payload = new byte[payloadBytes];
        for (int i = 0; i < count; i++) {
            m.entries().add(5, 1001 + i, EntryType.NORMAL, payload);
        }
        return m;
    }

    /** The benchmarks' InstallSnapshot chunk from 1 to 2: {@code size} zero bytes at offset 0. */
    static InstallSnapshotRequest snapshotChunk(int size) {
        return new InstallSnapshotRequest().set(1, 2, 5, new SnapshotMeta("5-1000-bench", LogId.of(5, 1000), MEMBERS), 0,
            new UnsafeBuffer(new byte[size]), 0, size, false);
    }

    static byte[] randomBytes(Random rnd, int length) {
        final byte[] bytes = new byte[length];
        rnd.nextBytes(bytes);
        return bytes;
    }

    static String randomId(Random rnd, int length) {
        final StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append((char) (0x21 + rnd.nextInt(0x7e - 0x21 + 1)));
        }
        return sb.toString();
    }

    /** The exact frame of {@code message}, in a buffer of exactly its length. */
    static UnsafeBuffer frame(RaftMessage message) {
        final MessageEncoder encoder = new MessageEncoder(CLUSTER);
        final int length = encoder.encodedLength(message);
        final ExpandableDirectByteBuffer buffer = new ExpandableDirectByteBuffer(length);
        assertEquals(length, encoder.encode(message, buffer, 0), "encode length of " + message);
        final byte[] bytes = new byte[length];
        buffer.getBytes(0, bytes);
        return new UnsafeBuffer(bytes);
    }

    /** A copy of {@code frame} of {@code length} bytes (cut or zero-extended). */
    static UnsafeBuffer resized(UnsafeBuffer frame, int length) {
        final byte[] bytes = new byte[length];
        frame.getBytes(0, bytes, 0, Math.min(length, frame.capacity()));
        return new UnsafeBuffer(bytes);
    }

    /** Asserts every field of {@code actual} equals {@code expected}'s. */
    static void assertSameMessage(RaftMessage expected, RaftMessage actual) {
        assertEquals(expected.type(), actual.type());
        assertEquals(expected.from(), actual.from(), "from");
        assertEquals(expected.to(), actual.to(), "to");
        assertEquals(expected.term(), actual.term(), "term");
        switch (expected.type()) {
            case APPEND_ENTRIES_REQUEST -> {
                final AppendEntriesRequest e = (AppendEntriesRequest) expected;
                final AppendEntriesRequest a = (AppendEntriesRequest) actual;
                assertEquals(e.prevLogIndex(), a.prevLogIndex(), "prevLogIndex");
                assertEquals(e.prevLogTerm(), a.prevLogTerm(), "prevLogTerm");
                assertEquals(e.leaderCommit(), a.leaderCommit(), "leaderCommit");
                assertEquals(e.readSeq(), a.readSeq(), "readSeq");
                assertSameEntries(e.entries(), a.entries());
            }
            case APPEND_ENTRIES_RESPONSE -> {
                final AppendEntriesResponse e = (AppendEntriesResponse) expected;
                final AppendEntriesResponse a = (AppendEntriesResponse) actual;
                assertEquals(e.isSuccess(), a.isSuccess(), "success");
                assertEquals(e.matchIndex(), a.matchIndex(), "matchIndex");
                assertEquals(e.rejectedIndex(), a.rejectedIndex(), "rejectedIndex");
                assertEquals(e.conflictTerm(), a.conflictTerm(), "conflictTerm");
                assertEquals(e.conflictIndex(), a.conflictIndex(), "conflictIndex");
                assertEquals(e.lastLogIndex(), a.lastLogIndex(), "lastLogIndex");
                assertEquals(e.readSeq(), a.readSeq(), "readSeq");
            }
            case VOTE_REQUEST -> {
                final VoteRequest e = (VoteRequest) expected;
                final VoteRequest a = (VoteRequest) actual;
                assertEquals(e.lastLogIndex(), a.lastLogIndex(), "lastLogIndex");
                assertEquals(e.lastLogTerm(), a.lastLogTerm(), "lastLogTerm");
                assertEquals(e.isPreVote(), a.isPreVote(), "preVote");
                assertEquals(e.isLeadershipTransfer(), a.isLeadershipTransfer(), "leadershipTransfer");
            }
            case VOTE_RESPONSE -> {
                assertEquals(((VoteResponse) expected).isGranted(), ((VoteResponse) actual).isGranted(), "granted");
                assertEquals(((VoteResponse) expected).isPreVote(), ((VoteResponse) actual).isPreVote(), "preVote");
            }
            case INSTALL_SNAPSHOT_REQUEST -> {
                final InstallSnapshotRequest e = (InstallSnapshotRequest) expected;
                final InstallSnapshotRequest a = (InstallSnapshotRequest) actual;
                assertEquals(e.meta(), a.meta(), "meta");
                assertEquals(e.chunkOffset(), a.chunkOffset(), "chunkOffset");
                assertEquals(e.isDone(), a.isDone(), "done");
                assertEquals(e.dataLength(), a.dataLength(), "dataLength");
                assertSameBytes(e.dataBuffer(), 0, a.dataBuffer(), 0, e.dataLength(), "data");
            }
            case INSTALL_SNAPSHOT_RESPONSE -> {
                final InstallSnapshotResponse e = (InstallSnapshotResponse) expected;
                final InstallSnapshotResponse a = (InstallSnapshotResponse) actual;
                assertEquals(e.snapshotId(), a.snapshotId(), "snapshotId");
                assertEquals(e.chunkOffset(), a.chunkOffset(), "chunkOffset");
                assertEquals(e.status(), a.status(), "status");
                assertEquals(e.nextOffset(), a.nextOffset(), "nextOffset");
            }
            case TIMEOUT_NOW_REQUEST -> {
            }
            case TIMEOUT_NOW_RESPONSE ->
                assertEquals(((TimeoutNowResponse) expected).isAccepted(), ((TimeoutNowResponse) actual).isAccepted(), "accepted");
            case READ_INDEX_REQUEST -> {
                assertEquals(((ReadIndexRequest) expected).requestId(), ((ReadIndexRequest) actual).requestId(), "requestId");
                assertEquals(((ReadIndexRequest) expected).isLease(), ((ReadIndexRequest) actual).isLease(), "lease");
            }
            case READ_INDEX_RESPONSE -> {
                final ReadIndexResponse e = (ReadIndexResponse) expected;
                final ReadIndexResponse a = (ReadIndexResponse) actual;
                assertEquals(e.requestId(), a.requestId(), "requestId");
                assertEquals(e.readIndex(), a.readIndex(), "readIndex");
                assertEquals(e.status(), a.status(), "status");
            }
        }
    }

    static void assertSameEntries(EntryBatch expected, EntryBatch actual) {
        assertEquals(expected.size(), actual.size(), "entry count");
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.term(i), actual.term(i), "term of entry " + i);
            assertEquals(expected.index(i), actual.index(i), "index of entry " + i);
            assertEquals(expected.type(i), actual.type(i), "type of entry " + i);
            assertEquals(expected.payloadLength(i), actual.payloadLength(i), "payload length of entry " + i);
            assertSameBytes(expected.buffer(), expected.payloadOffset(i), actual.buffer(), actual.payloadOffset(i),
                expected.payloadLength(i), "payload of entry " + i);
        }
    }

    static void assertSameBytes(MutableDirectBuffer expected, int expectedOffset, MutableDirectBuffer actual,
                                int actualOffset, int length, String what) {
        for (int i = 0; i < length; i++) {
            if (expected.getByte(expectedOffset + i) != actual.getByte(actualOffset + i)) {
                throw new AssertionError(what + ": byte " + i + " of " + length + " differs");
            }
        }
    }
}
