package dev.raft.transport.aeron.internal.channel;

import static dev.raft.transport.aeron.internal.channel.Messages.CLUSTER;
import static dev.raft.transport.aeron.internal.channel.Messages.MEMBERS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

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
import dev.raft.api.message.TimeoutNowRequest;
import dev.raft.api.message.TimeoutNowResponse;
import dev.raft.api.message.VoteRequest;
import dev.raft.api.message.VoteResponse;
import dev.raft.transport.aeron.internal.codec.AppendEntriesRequestDecoder;
import dev.raft.transport.aeron.internal.codec.AppendEntriesResponseDecoder;
import dev.raft.transport.aeron.internal.codec.InstallSnapshotRequestDecoder;
import dev.raft.transport.aeron.internal.codec.InstallSnapshotResponseDecoder;
import dev.raft.transport.aeron.internal.codec.MessageHeaderDecoder;
import dev.raft.transport.aeron.internal.codec.TimeoutNowRequestDecoder;
import dev.raft.transport.aeron.internal.codec.TimeoutNowResponseDecoder;
import dev.raft.transport.aeron.internal.codec.VoteRequestDecoder;
import dev.raft.transport.aeron.internal.codec.VoteResponseDecoder;
import dev.raft.transport.aeron.internal.counters.ReceiveDrop;
import java.nio.ByteOrder;
import java.util.Random;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every way a frame can be bad is dropped with its own reason, and never throws. */
class FrameDecoderTest {
    private static final ByteOrder ORDER = MessageHeaderDecoder.BYTE_ORDER;
    private static final int H = MessageEncoder.HEADER_LENGTH;

    private final FrameDecoder decoder = new FrameDecoder(CLUSTER, 2);

    FrameDecoderTest() {
        decoder.membership(MEMBERS);
    }

    private ReceiveDrop decode(UnsafeBuffer frame) {
        return decoder.decode(frame, 0, frame.capacity());
    }

    private static AppendEntriesRequest appendWithEntries() {
        final AppendEntriesRequest m = new AppendEntriesRequest().set(1, 2, 4, 10, 3, 9);
        m.entries().add(3, 11, EntryType.NORMAL, new byte[] {1, 2, 3});
        m.entries().add(4, 12, EntryType.MEMBERSHIP, new byte[] {4, 5});
        return m;
    }

    private static InstallSnapshotRequest snapshotRequest() {
        final SnapshotMeta meta = new SnapshotMeta("snap-1", LogId.of(3, 50), MEMBERS);
        return new InstallSnapshotRequest().set(1, 2, 4, meta, 0, new UnsafeBuffer(new byte[] {9, 9, 9}), 0, 3, false);
    }

    @Test
    void headerChecksDropWithTheirReason() {
        final UnsafeBuffer frame = Messages.frame(new TimeoutNowRequest().set(1, 2, 3));
        assertNull(decode(frame));
        assertEquals(ReceiveDrop.TRUNCATED_HEADER, decoder.decode(frame, 0, H - 1));
        assertEquals(ReceiveDrop.TRUNCATED_HEADER, decoder.decode(frame, 0, 0));

        assertEquals(ReceiveDrop.UNKNOWN_SCHEMA, decode(withShort(frame, MessageHeaderDecoder.schemaIdEncodingOffset(), 1)));
        assertEquals(ReceiveDrop.UNKNOWN_VERSION, decode(withShort(frame, MessageHeaderDecoder.versionEncodingOffset(), 0)));
        assertEquals(ReceiveDrop.UNKNOWN_VERSION, decode(withShort(frame, MessageHeaderDecoder.versionEncodingOffset(),
            MessageHeaderDecoder.SCHEMA_VERSION + 1)));
        assertEquals(ReceiveDrop.WRONG_CLUSTER, decode(withInt(frame, MessageHeaderDecoder.clusterIdEncodingOffset(), CLUSTER + 1)));
        assertEquals(ReceiveDrop.WRONG_TARGET, decode(withInt(frame, MessageHeaderDecoder.targetIdEncodingOffset(), 3)));
        assertEquals(ReceiveDrop.UNKNOWN_SENDER, decode(withInt(frame, MessageHeaderDecoder.senderIdEncodingOffset(), 9)));
        assertEquals(ReceiveDrop.UNKNOWN_SENDER, decode(withInt(frame, MessageHeaderDecoder.senderIdEncodingOffset(), 2)),
            "a frame claiming to come from this node itself");
        assertEquals(ReceiveDrop.UNKNOWN_TEMPLATE, decode(withShort(frame, MessageHeaderDecoder.templateIdEncodingOffset(), 99)));
        assertEquals(ReceiveDrop.BAD_LENGTH, decode(withShort(frame, MessageHeaderDecoder.blockLengthEncodingOffset(), 9)),
            "a block shorter than the message's fields");
        assertEquals(ReceiveDrop.BAD_LENGTH, decode(withShort(frame, MessageHeaderDecoder.blockLengthEncodingOffset(), 65535)),
            "a block longer than the frame");
        assertEquals(ReceiveDrop.BAD_LENGTH, decode(Messages.resized(frame, frame.capacity() + 1)), "a trailing byte");
        assertNull(decode(frame), "a good frame after bad ones");
    }

    @Test
    void senderMustBeAMemberOfTheCurrentMembership() {
        final UnsafeBuffer fromThree = Messages.frame(new TimeoutNowRequest().set(3, 2, 3));
        final FrameDecoder fresh = new FrameDecoder(CLUSTER, 2);
        assertEquals(ReceiveDrop.UNKNOWN_SENDER, fresh.decode(fromThree, 0, fromThree.capacity()), "before any membership");
        fresh.membership(Membership.of(1, 2));
        assertEquals(ReceiveDrop.UNKNOWN_SENDER, fresh.decode(fromThree, 0, fromThree.capacity()));
        fresh.membership(Membership.of(new int[][] {{1, 2}}, new int[] {3}));
        assertNull(fresh.decode(fromThree, 0, fromThree.capacity()), "learners are members");
    }

    @ParameterizedTest
    @EnumSource(MessageType.class)
    void everyTruncationOfEveryMessageIsDropped(MessageType type) {
        final Random rnd = new Random(type.ordinal());
        for (int n = 0; n < 20; n++) {
            final RaftMessage message = type == MessageType.APPEND_ENTRIES_REQUEST && n == 0 ? appendWithEntries()
                : Messages.random(rnd, type, 1, 2, 8);
            final UnsafeBuffer frame = Messages.frame(message);
            for (int length = 0; length < frame.capacity(); length++) {
                final int cut = length;
                assertNotNull(decoder.decode(frame, 0, length), () -> "truncated to " + cut + " of " + frame.capacity());
            }
            assertNull(decode(frame));
        }
    }

    @Test
    void appendEntriesLengthsOutOfBoundsAreDropped() {
        final UnsafeBuffer frame = Messages.frame(appendWithEntries());
        final int group = H + AppendEntriesRequestDecoder.BLOCK_LENGTH;
        final int entryBlock = AppendEntriesRequestDecoder.EntriesDecoder.sbeBlockLength();
        final int firstPayloadLength = group + 4 + entryBlock;
        assertNull(decode(frame));
        assertEquals(ReceiveDrop.BAD_LENGTH, decode(withShort(frame, group + 2, 3)), "one entry more than present");
        assertEquals(ReceiveDrop.BAD_LENGTH, decode(withShort(frame, group + 2, 65535)), "a huge entry count");
        assertEquals(ReceiveDrop.BAD_LENGTH, decode(withShort(frame, group + 2, 1)), "one entry fewer: trailing bytes");
        assertEquals(ReceiveDrop.BAD_LENGTH, decode(withShort(frame, group, entryBlock - 1)), "group block too short");
        assertEquals(ReceiveDrop.BAD_LENGTH, decode(withInt(frame, firstPayloadLength, 4)), "payload longer than announced");
        assertEquals(ReceiveDrop.BAD_LENGTH, decode(withInt(frame, firstPayloadLength, -1)), "payload length 2^32-1");
        assertEquals(ReceiveDrop.BAD_LENGTH, decode(withInt(frame, firstPayloadLength, Integer.MAX_VALUE)));
    }

    @Test
    void appendEntriesBadEnumsAndFieldsAreDropped() {
        final UnsafeBuffer frame = Messages.frame(appendWithEntries());
        final int firstEntry = H + AppendEntriesRequestDecoder.BLOCK_LENGTH + 4;
        final int typeAt = firstEntry + AppendEntriesRequestDecoder.EntriesDecoder.entryTypeEncodingOffset();
        final int termAt = firstEntry + AppendEntriesRequestDecoder.EntriesDecoder.entryTermEncodingOffset();
        assertEquals(ReceiveDrop.BAD_ENUM, decode(withByte(frame, typeAt, 3)));
        assertEquals(ReceiveDrop.BAD_ENUM, decode(withByte(frame, typeAt, 255)));
        assertEquals(ReceiveDrop.BAD_FIELD, decode(withLong(frame, termAt, 0)), "entry term 0");
        assertEquals(ReceiveDrop.BAD_FIELD, decode(withLong(frame, termAt, 5)), "entry terms decrease");
        assertEquals(ReceiveDrop.BAD_FIELD, decode(withLong(frame, H + AppendEntriesRequestDecoder.termEncodingOffset(), -1)));
        assertEquals(ReceiveDrop.BAD_FIELD, decode(withLong(frame, H + AppendEntriesRequestDecoder.prevLogIndexEncodingOffset(),
            Long.MAX_VALUE)), "entry indexes overflow");
        assertEquals(ReceiveDrop.BAD_FIELD, decode(withLong(frame, H + AppendEntriesRequestDecoder.leaderCommitEncodingOffset(), -5)));
    }

    @Test
    void badFlagsAndStatusCodesAreDropped() {
        final UnsafeBuffer vote = Messages.frame(new VoteRequest().set(1, 2, 3, 4, 5, false, false));
        assertEquals(ReceiveDrop.BAD_ENUM, decode(withByte(vote, H + VoteRequestDecoder.preVoteEncodingOffset(), 2)));
        assertEquals(ReceiveDrop.BAD_ENUM, decode(withByte(vote, H + VoteRequestDecoder.leadershipTransferEncodingOffset(), 7)));
        final UnsafeBuffer voteResponse = Messages.frame(new VoteResponse().set(1, 2, 3, true, false));
        assertEquals(ReceiveDrop.BAD_ENUM, decode(withByte(voteResponse, H + 8, 2)));
        final UnsafeBuffer response = Messages.frame(new InstallSnapshotResponse().set(1, 2, 3, "s", 0,
            InstallSnapshotResponse.Status.ACCEPTED, 0));
        assertEquals(ReceiveDrop.BAD_ENUM, decode(withByte(response, H + InstallSnapshotResponseDecoder.statusEncodingOffset(),
            InstallSnapshotResponse.Status.values().length)));
    }

    @Test
    void installSnapshotBadVarDataIsDropped() {
        final UnsafeBuffer frame = Messages.frame(snapshotRequest());
        final int idAt = H + InstallSnapshotRequestDecoder.BLOCK_LENGTH;
        final int membershipAt = idAt + 2 + "snap-1".length();
        final int membershipLength = MEMBERS.encode().length;
        final int dataAt = membershipAt + 4 + membershipLength;
        assertNull(decode(frame));
        assertEquals(ReceiveDrop.BAD_LENGTH, decode(withShort(frame, idAt, 60000)), "id longer than the frame");
        assertEquals(ReceiveDrop.BAD_LENGTH, decode(withInt(frame, membershipAt, membershipLength + 100)));
        assertEquals(ReceiveDrop.BAD_LENGTH, decode(withInt(frame, dataAt, 4)), "data longer than the frame");
        assertEquals(ReceiveDrop.BAD_LENGTH, decode(withInt(frame, dataAt, 2)), "data shorter: trailing bytes");
        assertEquals(ReceiveDrop.BAD_FIELD, decode(withByte(frame, idAt + 2, ' ')), "a space in the snapshot id");
        assertEquals(ReceiveDrop.BAD_FIELD, decode(withInt(frame, H + InstallSnapshotRequestDecoder.leaderIdEncodingOffset(), 3)),
            "leaderId differs from the sender");
        assertEquals(ReceiveDrop.BAD_FIELD, decode(withLong(frame, H + InstallSnapshotRequestDecoder.lastLogTermEncodingOffset(), 0)),
            "last log id 0-50");
        assertEquals(ReceiveDrop.BAD_FIELD, decode(withLong(frame, H + InstallSnapshotRequestDecoder.chunkOffsetEncodingOffset(), -1)));
        assertEquals(ReceiveDrop.BAD_MEMBERSHIP, decode(withInt(frame, membershipAt + 4, 99)), "unknown membership format version");
        assertEquals(ReceiveDrop.BAD_MEMBERSHIP, decode(withInt(frame, membershipAt + 4 + 8, -3)), "invalid node id in membership");
        assertNull(decode(frame), "the stream still decodes after bad chunks");
        assertEquals("snap-1", ((InstallSnapshotRequest) decoder.message()).snapshotId());
    }

    @Test
    void snapshotIdsLongerThanTheApiAllowsAreDropped() {
        final UnsafeBuffer response = Messages.frame(new InstallSnapshotResponse().set(1, 2, 3, "x".repeat(255), 0,
            InstallSnapshotResponse.Status.ACCEPTED, 0));
        final int idAt = H + InstallSnapshotResponseDecoder.BLOCK_LENGTH;
        final UnsafeBuffer longer = Messages.resized(response, response.capacity() + 1);
        longer.putShort(idAt, (short) 256, ORDER);
        longer.putByte(response.capacity(), (byte) 'x');
        assertNull(decode(response));
        assertEquals(ReceiveDrop.BAD_FIELD, decode(longer));
    }

    /** Every term and log index a peer sends, per message type, at {@code H + offset} of a valid frame. */
    private static final Object[][] TERM_AND_INDEX_FIELDS = {
        {appendWithEntries(), AppendEntriesRequestDecoder.termEncodingOffset()},
        {appendWithEntries(), AppendEntriesRequestDecoder.prevLogIndexEncodingOffset()},
        {appendWithEntries(), AppendEntriesRequestDecoder.prevLogTermEncodingOffset()},
        {appendWithEntries(), AppendEntriesRequestDecoder.leaderCommitEncodingOffset()},
        {new AppendEntriesResponse().success(1, 2, 3, 4, 5), AppendEntriesResponseDecoder.termEncodingOffset()},
        {new AppendEntriesResponse().success(1, 2, 3, 4, 5), AppendEntriesResponseDecoder.matchIndexEncodingOffset()},
        {new AppendEntriesResponse().success(1, 2, 3, 4, 5), AppendEntriesResponseDecoder.lastLogIndexEncodingOffset()},
        {new AppendEntriesResponse().reject(1, 2, 3, 4, 2, 3, 5), AppendEntriesResponseDecoder.rejectedIndexEncodingOffset()},
        {new AppendEntriesResponse().reject(1, 2, 3, 4, 2, 3, 5), AppendEntriesResponseDecoder.conflictTermEncodingOffset()},
        {new AppendEntriesResponse().reject(1, 2, 3, 4, 2, 3, 5), AppendEntriesResponseDecoder.conflictIndexEncodingOffset()},
        {new VoteRequest().set(1, 2, 3, 4, 2, false, true), VoteRequestDecoder.termEncodingOffset()},
        {new VoteRequest().set(1, 2, 3, 4, 2, false, true), VoteRequestDecoder.lastLogIndexEncodingOffset()},
        {new VoteRequest().set(1, 2, 3, 4, 2, false, true), VoteRequestDecoder.lastLogTermEncodingOffset()},
        {new VoteResponse().set(1, 2, 3, true, false), VoteResponseDecoder.termEncodingOffset()},
        {snapshotRequest(), InstallSnapshotRequestDecoder.termEncodingOffset()},
        {snapshotRequest(), InstallSnapshotRequestDecoder.lastLogTermEncodingOffset()},
        {snapshotRequest(), InstallSnapshotRequestDecoder.lastLogIndexEncodingOffset()},
        {new InstallSnapshotResponse().set(1, 2, 3, "s", 0, InstallSnapshotResponse.Status.ACCEPTED, 0),
            InstallSnapshotResponseDecoder.termEncodingOffset()},
        {new TimeoutNowRequest().set(1, 2, 3), TimeoutNowRequestDecoder.termEncodingOffset()},
        {new TimeoutNowResponse().set(1, 2, 3, true), TimeoutNowResponseDecoder.termEncodingOffset()},
    };

    @Test
    void everyTermAndIndexAtOrAboveItsCeilingIsDropped() {
        for (Object[] field : TERM_AND_INDEX_FIELDS) {
            final RaftMessage message = (RaftMessage) field[0];
            final UnsafeBuffer frame = Messages.frame(message);
            final int at = H + (int) field[1];
            assertNull(decode(frame), message.toString());
            for (long value : new long[] {RaftLimits.MAX_TERM, RaftLimits.MAX_INDEX, Long.MAX_VALUE, -1, Long.MIN_VALUE}) {
                assertEquals(ReceiveDrop.BAD_FIELD, decode(withLong(frame, at, value)),
                    () -> message.type() + " field at " + at + " = " + value);
            }
        }
        final UnsafeBuffer frame = Messages.frame(appendWithEntries());
        final int termAt = H + AppendEntriesRequestDecoder.BLOCK_LENGTH + 4
            + AppendEntriesRequestDecoder.EntriesDecoder.entryTermEncodingOffset();
        assertEquals(ReceiveDrop.BAD_FIELD, decode(withLong(frame, termAt, RaftLimits.MAX_TERM)), "an entry term at the ceiling");
        final AppendEntriesRequest last = new AppendEntriesRequest().set(1, 2, 4, RaftLimits.MAX_INDEX - 3, 3, 9);
        last.entries().add(3, RaftLimits.MAX_INDEX - 2, EntryType.NORMAL, new byte[] {1});
        last.entries().add(4, RaftLimits.MAX_INDEX - 1, EntryType.NORMAL, new byte[] {2});
        assertNull(decode(Messages.frame(last)), "the last index below the ceiling");
        last.entries().add(4, RaftLimits.MAX_INDEX, EntryType.NORMAL, new byte[] {3});
        assertEquals(ReceiveDrop.BAD_FIELD, decode(Messages.frame(last)), "an entry index at the ceiling");
        final long below = RaftLimits.MAX_TERM - 1;
        assertNull(decode(Messages.frame(new VoteRequest().set(1, 2, below, below, below, false, false))), "just below");
    }

    private static UnsafeBuffer copy(UnsafeBuffer frame) {
        return Messages.resized(frame, frame.capacity());
    }

    static UnsafeBuffer withByte(UnsafeBuffer frame, int at, int value) {
        final UnsafeBuffer c = copy(frame);
        c.putByte(at, (byte) value);
        return c;
    }

    static UnsafeBuffer withShort(UnsafeBuffer frame, int at, int value) {
        final UnsafeBuffer c = copy(frame);
        c.putShort(at, (short) value, ORDER);
        return c;
    }

    static UnsafeBuffer withInt(UnsafeBuffer frame, int at, int value) {
        final UnsafeBuffer c = copy(frame);
        c.putInt(at, value, ORDER);
        return c;
    }

    static UnsafeBuffer withLong(UnsafeBuffer frame, int at, long value) {
        final UnsafeBuffer c = copy(frame);
        c.putLong(at, value, ORDER);
        return c;
    }
}
