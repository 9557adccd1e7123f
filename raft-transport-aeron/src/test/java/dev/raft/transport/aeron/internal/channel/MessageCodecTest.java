package dev.raft.transport.aeron.internal.channel;

import static dev.raft.transport.aeron.internal.channel.Messages.CLUSTER;
import static dev.raft.transport.aeron.internal.channel.Messages.MEMBERS;
import static dev.raft.transport.aeron.internal.channel.Messages.assertSameMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.EntryType;
import dev.raft.api.LogId;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.message.AppendEntriesRequest;
import dev.raft.api.message.AppendEntriesResponse;
import dev.raft.api.message.ReadIndexRequest;
import dev.raft.api.message.ReadIndexResponse;
import dev.raft.api.message.InstallSnapshotRequest;
import dev.raft.api.message.InstallSnapshotResponse;
import dev.raft.api.message.MessageType;
import dev.raft.api.message.RaftMessage;
import dev.raft.api.message.VoteRequest;
import dev.raft.transport.aeron.AeronTransportConfig;
import dev.raft.transport.aeron.internal.codec.AppendEntriesRequestDecoder;
import dev.raft.transport.aeron.internal.codec.AppendEntriesResponseDecoder;
import dev.raft.transport.aeron.internal.codec.EntryKind;
import dev.raft.transport.aeron.internal.codec.ReadIndexRequestDecoder;
import dev.raft.transport.aeron.internal.codec.ReadIndexResponseDecoder;
import dev.raft.transport.aeron.internal.codec.ReadStatus;
import dev.raft.transport.aeron.internal.codec.MessageHeaderDecoder;
import dev.raft.transport.aeron.internal.codec.SnapshotStatus;
import dev.raft.transport.aeron.internal.codec.VoteRequestDecoder;
import dev.raft.transport.aeron.internal.counters.ReceiveDrop;
import java.util.Random;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class MessageCodecTest {
    /** The largest frame with the default config (16 MiB terms). */
    private static final int MAX_FRAME = AeronTransportConfig.builder().nodeId(1).endpoint(1, "127.0.0.1:1").build().maxMessageLength();

    private final MessageEncoder encoder = new MessageEncoder(CLUSTER);
    private final FrameDecoder decoder = new FrameDecoder(CLUSTER, 2);
    private final ExpandableDirectByteBuffer buffer = new ExpandableDirectByteBuffer(4096);

    MessageCodecTest() {
        decoder.membership(MEMBERS);
    }

    private RaftMessage roundTrip(RaftMessage message) {
        final int at = 24;
        final int length = encoder.encodedLength(message);
        buffer.checkLimit(at + length + 64);
        buffer.setMemory(at + length, 64, (byte) 0x5A);
        assertEquals(length, encoder.encode(message, buffer, at), "encoded length of " + message);
        final ReceiveDrop drop = decoder.decode(buffer, at, length);
        assertNull(drop, () -> "dropped " + message + ": " + drop);
        final RaftMessage decoded = decoder.message();
        assertSameMessage(message, decoded);
        return decoded;
    }

    @ParameterizedTest
    @EnumSource(MessageType.class)
    void everyMessageRoundTripsWithRandomFieldValues(MessageType type) {
        final Random rnd = new Random(type.ordinal() * 31L + 17);
        for (int i = 0; i < 2000; i++) {
            roundTrip(Messages.random(rnd, type, rnd.nextBoolean() ? 1 : 3, 2, 300));
        }
    }

    @Test
    void messageObjectsAreReusedPerType() {
        final Random rnd = new Random(3);
        final RaftMessage first = roundTrip(Messages.random(rnd, MessageType.VOTE_REQUEST, 1, 2, 0));
        final RaftMessage second = roundTrip(Messages.random(rnd, MessageType.VOTE_REQUEST, 3, 2, 0));
        assertSame(first, second);
    }

    @Test
    void heartbeatAndEmptyPayloadsRoundTrip() {
        roundTrip(new AppendEntriesRequest().set(1, 2, 5, 0, 0, 0));
        final AppendEntriesRequest empties = new AppendEntriesRequest().set(1, 2, 5, 10, 4, 9);
        for (int i = 0; i < 10; i++) {
            empties.entries().add(5, 11 + i, EntryType.BLANK, new byte[0]);
        }
        roundTrip(empties);
        roundTrip(new InstallSnapshotRequest().set(1, 2, 5, meta("s"), 0, new UnsafeBuffer(new byte[0]), 0, 0, true));
        roundTrip(new InstallSnapshotResponse().set(1, 2, 5, "", 0, InstallSnapshotResponse.Status.STALE_TERM, 0));
    }

    @Test
    void maximalEntryCountAndMaximalPayloadRoundTrip() {
        final AppendEntriesRequest many = new AppendEntriesRequest().set(3, 2, 9, 100, 9, 100);
        for (int i = 0; i < MessageEncoder.MAX_ENTRIES; i++) {
            many.entries().add(9, 101 + i, EntryType.NORMAL, new byte[] {(byte) i});
        }
        roundTrip(many);
        many.entries().add(9, 101 + MessageEncoder.MAX_ENTRIES, EntryType.NORMAL, new byte[1]);
        assertEquals(-1, encoder.encodedLength(many), "one entry more than the group can count");

        final AppendEntriesRequest big = new AppendEntriesRequest().set(3, 2, 9, 100, 9, 100);
        final int overhead = encoder.encodedLength(big) + MessageEncoder.ENTRY_OVERHEAD;
        final byte[] payload = Messages.randomBytes(new Random(5), MAX_FRAME - overhead);
        big.entries().add(9, 101, EntryType.NORMAL, payload);
        assertEquals(MAX_FRAME, encoder.encodedLength(big));
        roundTrip(big);
    }

    @Test
    void longestSnapshotIdsRoundTrip() {
        final String id = "x".repeat(SnapshotMeta.MAX_ID_LENGTH);
        roundTrip(new InstallSnapshotRequest().set(1, 2, 5, meta(id), 7, new UnsafeBuffer(new byte[3]), 0, 3, false));
        roundTrip(new InstallSnapshotResponse().set(1, 2, 5, id, 7, InstallSnapshotResponse.Status.ACCEPTED, 10));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 1375, 1376, 1377, 4096, 65536, 1024 * 1024, -1})
    void snapshotChunksFromOneByteToTheMaximumRoundTrip(int size) {
        final SnapshotMeta meta = meta("3-100-abc");
        final InstallSnapshotRequest probe = new InstallSnapshotRequest().set(1, 2, 5, meta, 0, new UnsafeBuffer(new byte[0]), 0, 0, false);
        final int maxChunk = MAX_FRAME - encoder.encodedLength(probe);
        final int chunk = size < 0 ? maxChunk : size;
        final byte[] data = Messages.randomBytes(new Random(size), chunk);
        final InstallSnapshotRequest request = new InstallSnapshotRequest().set(1, 2, 5, meta, 1L << 40,
            new UnsafeBuffer(data), 0, chunk, size < 0);
        assertTrue(encoder.encodedLength(request) <= MAX_FRAME);
        final InstallSnapshotRequest decoded = (InstallSnapshotRequest) roundTrip(request);
        assertTrue(maxChunk >= 2 * 1024 * 1024 - 512, "max chunk " + maxChunk + " with 16 MiB terms");
        assertEquals(chunk, decoded.dataLength());
    }

    @Test
    void repeatedSnapshotStreamReusesItsDecodedMeta() {
        final SnapshotMeta meta = meta("s-1");
        final InstallSnapshotRequest request = new InstallSnapshotRequest().set(1, 2, 5, meta, 0, new UnsafeBuffer(new byte[8]), 0, 8, false);
        final SnapshotMeta first = ((InstallSnapshotRequest) roundTrip(request)).meta();
        request.set(1, 2, 5, meta, 8, new UnsafeBuffer(new byte[8]), 0, 8, true);
        assertSame(first, ((InstallSnapshotRequest) roundTrip(request)).meta());
        request.set(1, 2, 5, meta("s-2"), 0, new UnsafeBuffer(new byte[8]), 0, 8, false);
        assertEquals("s-2", ((InstallSnapshotRequest) roundTrip(request)).snapshotId());
    }

    @Test
    void versionOneVoteRequestDecodesWithoutTheLeadershipTransferFlag() {
        final VoteRequest request = new VoteRequest().set(1, 2, 8, 40, 7, true, true);
        final UnsafeBuffer v2 = Messages.frame(request);
        final int v1Block = VoteRequestDecoder.leadershipTransferEncodingOffset();
        final UnsafeBuffer v1 = Messages.resized(v2, MessageEncoder.HEADER_LENGTH + v1Block);
        v1.putShort(MessageHeaderDecoder.versionEncodingOffset(), (short) 1, MessageHeaderDecoder.BYTE_ORDER);
        v1.putShort(MessageHeaderDecoder.blockLengthEncodingOffset(), (short) v1Block, MessageHeaderDecoder.BYTE_ORDER);
        assertNull(decoder.decode(v1, 0, v1.capacity()));
        final VoteRequest decoded = (VoteRequest) decoder.message();
        assertTrue(decoded.isPreVote());
        assertFalse(decoded.isLeadershipTransfer(), "a version-1 frame has no leadershipTransfer field");
        assertEquals(40, decoded.lastLogIndex());
    }

    @Test
    void versionTwoAppendEntriesDecodeWithReadSeqZero() {
        final AppendEntriesResponse response = new AppendEntriesResponse().success(2, 1, 8, 40, 41).readSeq(77);
        final int v2Block = AppendEntriesResponseDecoder.readSeqEncodingOffset();
        final UnsafeBuffer v2 = Messages.resized(Messages.frame(response), MessageEncoder.HEADER_LENGTH + v2Block);
        v2.putShort(MessageHeaderDecoder.versionEncodingOffset(), (short) 2, MessageHeaderDecoder.BYTE_ORDER);
        v2.putShort(MessageHeaderDecoder.blockLengthEncodingOffset(), (short) v2Block, MessageHeaderDecoder.BYTE_ORDER);
        final FrameDecoder responses = new FrameDecoder(CLUSTER, 1);
        responses.membership(MEMBERS);
        assertNull(responses.decode(v2, 0, v2.capacity()));
        assertEquals(0, ((AppendEntriesResponse) responses.message()).readSeq(), "a version-2 frame has no readSeq");
        assertEquals(40, ((AppendEntriesResponse) responses.message()).matchIndex());

        final AppendEntriesRequest heartbeat = new AppendEntriesRequest().set(1, 2, 8, 40, 7, 39).readSeq(5);
        final UnsafeBuffer v3 = Messages.frame(heartbeat);
        final int v2RequestBlock = AppendEntriesRequestDecoder.readSeqEncodingOffset();
        final int groupAt = MessageEncoder.HEADER_LENGTH + AppendEntriesRequestDecoder.BLOCK_LENGTH;
        final byte[] bytes = new byte[v3.capacity() - (AppendEntriesRequestDecoder.BLOCK_LENGTH - v2RequestBlock)];
        v3.getBytes(0, bytes, 0, MessageEncoder.HEADER_LENGTH + v2RequestBlock);
        v3.getBytes(groupAt, bytes, MessageEncoder.HEADER_LENGTH + v2RequestBlock, v3.capacity() - groupAt);
        final UnsafeBuffer oldRequest = new UnsafeBuffer(bytes);
        oldRequest.putShort(MessageHeaderDecoder.versionEncodingOffset(), (short) 2, MessageHeaderDecoder.BYTE_ORDER);
        oldRequest.putShort(MessageHeaderDecoder.blockLengthEncodingOffset(), (short) v2RequestBlock,
            MessageHeaderDecoder.BYTE_ORDER);
        assertNull(decoder.decode(oldRequest, 0, oldRequest.capacity()));
        assertEquals(0, ((AppendEntriesRequest) decoder.message()).readSeq(), "a version-2 frame has no readSeq");
        assertEquals(39, ((AppendEntriesRequest) decoder.message()).leaderCommit());
        assertNull(decoder.decode(v3, 0, v3.capacity()));
        assertEquals(5, ((AppendEntriesRequest) decoder.message()).readSeq());
    }

    @Test
    void negativeReadFieldsAreBadFields() {
        final UnsafeBuffer request = Messages.frame(new AppendEntriesRequest().set(1, 2, 8, 40, 7, 39).readSeq(5));
        request.putLong(MessageEncoder.HEADER_LENGTH + AppendEntriesRequestDecoder.readSeqEncodingOffset(), -1,
            MessageHeaderDecoder.BYTE_ORDER);
        assertEquals(ReceiveDrop.BAD_FIELD, decoder.decode(request, 0, request.capacity()));
        final UnsafeBuffer readRequest = Messages.frame(new ReadIndexRequest().set(1, 2, 8, 3, false));
        readRequest.putLong(MessageEncoder.HEADER_LENGTH + ReadIndexRequestDecoder.requestIdEncodingOffset(), -3,
            MessageHeaderDecoder.BYTE_ORDER);
        assertEquals(ReceiveDrop.BAD_FIELD, decoder.decode(readRequest, 0, readRequest.capacity()));
        final UnsafeBuffer readResponse = Messages.frame(new ReadIndexResponse().set(1, 2, 8, 3, 9, ReadIndexResponse.Status.OK));
        readResponse.putByte(MessageEncoder.HEADER_LENGTH + ReadIndexResponseDecoder.statusEncodingOffset(), (byte) 3);
        assertEquals(ReceiveDrop.BAD_ENUM, decoder.decode(readResponse, 0, readResponse.capacity()));
        readResponse.putByte(MessageEncoder.HEADER_LENGTH + ReadIndexResponseDecoder.statusEncodingOffset(), (byte) 0);
        readResponse.putLong(MessageEncoder.HEADER_LENGTH + ReadIndexResponseDecoder.readIndexEncodingOffset(), Long.MAX_VALUE,
            MessageHeaderDecoder.BYTE_ORDER);
        assertEquals(ReceiveDrop.BAD_FIELD, decoder.decode(readResponse, 0, readResponse.capacity()));
    }

    @Test
    void wireEnumsFollowTheApiCodes() {
        for (ReadIndexResponse.Status status : ReadIndexResponse.Status.values()) {
            assertEquals(status.name(), ReadStatus.get((short) status.ordinal()).name());
        }
        for (EntryType type : EntryType.values()) {
            assertEquals(type.name(), EntryKind.get((short) type.code()).name());
        }
        for (InstallSnapshotResponse.Status status : InstallSnapshotResponse.Status.values()) {
            assertEquals(status.name(), SnapshotStatus.get((short) status.ordinal()).name());
        }
        for (MessageType type : MessageType.values()) {
            final RaftMessage message = Messages.random(new Random(1), type, 1, 2, 4);
            assertEquals(type.code(), Messages.frame(message).getShort(MessageHeaderDecoder.templateIdEncodingOffset(),
                MessageHeaderDecoder.BYTE_ORDER));
        }
    }

    static SnapshotMeta meta(String id) {
        return new SnapshotMeta(id, LogId.of(3, 100), MEMBERS);
    }
}
