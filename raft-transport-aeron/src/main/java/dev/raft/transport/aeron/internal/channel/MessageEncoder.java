package dev.raft.transport.aeron.internal.channel;

import dev.raft.api.EntryBatch;
import dev.raft.api.Membership;
import dev.raft.api.message.AppendEntriesRequest;
import dev.raft.api.message.AppendEntriesResponse;
import dev.raft.api.message.InstallSnapshotRequest;
import dev.raft.api.message.InstallSnapshotResponse;
import dev.raft.api.message.RaftMessage;
import dev.raft.api.message.ReadIndexRequest;
import dev.raft.api.message.ReadIndexResponse;
import dev.raft.api.message.TimeoutNowRequest;
import dev.raft.api.message.TimeoutNowResponse;
import dev.raft.api.message.VoteRequest;
import dev.raft.api.message.VoteResponse;
import dev.raft.transport.aeron.internal.codec.AppendEntriesRequestEncoder;
import dev.raft.transport.aeron.internal.codec.AppendEntriesResponseEncoder;
import dev.raft.transport.aeron.internal.codec.BooleanType;
import dev.raft.transport.aeron.internal.codec.EntryKind;
import dev.raft.transport.aeron.internal.codec.InstallSnapshotRequestEncoder;
import dev.raft.transport.aeron.internal.codec.InstallSnapshotResponseEncoder;
import dev.raft.transport.aeron.internal.codec.MessageHeaderEncoder;
import dev.raft.transport.aeron.internal.codec.ReadIndexRequestEncoder;
import dev.raft.transport.aeron.internal.codec.ReadIndexResponseEncoder;
import dev.raft.transport.aeron.internal.codec.ReadStatus;
import dev.raft.transport.aeron.internal.codec.SnapshotStatus;
import dev.raft.transport.aeron.internal.codec.TimeoutNowRequestEncoder;
import dev.raft.transport.aeron.internal.codec.TimeoutNowResponseEncoder;
import dev.raft.transport.aeron.internal.codec.VoteRequestEncoder;
import dev.raft.transport.aeron.internal.codec.VoteResponseEncoder;
import org.agrona.MutableDirectBuffer;

/**
 * Encodes Raft messages as SBE frames with the generated flyweight encoders, straight into a caller's
 * buffer (an Aeron claim or a reusable buffer). One instance per sending thread; allocation-free once the
 * membership bytes of an InstallSnapshot stream are cached (encoded again only when the membership changes).
 */
public final class MessageEncoder {
    /** The frame header length. */
    public static final int HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH;
    /** The largest number of entries one AppendEntries frame carries (the group's uint16 count). */
    public static final int MAX_ENTRIES = 65534;
    /** Bytes each entry adds besides its payload: the group block and the payload length. */
    public static final int ENTRY_OVERHEAD = AppendEntriesRequestEncoder.EntriesEncoder.sbeBlockLength()
        + AppendEntriesRequestEncoder.EntriesEncoder.payloadHeaderLength();

    private static final EntryKind[] ENTRY_KINDS = {EntryKind.BLANK, EntryKind.NORMAL, EntryKind.MEMBERSHIP};
    private static final SnapshotStatus[] STATUSES = {SnapshotStatus.ACCEPTED, SnapshotStatus.INSTALLED,
        SnapshotStatus.SKIPPED_STALE, SnapshotStatus.MISMATCH, SnapshotStatus.WRITE_FAILED, SnapshotStatus.STALE_TERM};
    private static final ReadStatus[] READ_STATUSES = {ReadStatus.OK, ReadStatus.NOT_LEADER, ReadStatus.NOT_READY};

    private final int clusterId;
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final AppendEntriesRequestEncoder appendRequest = new AppendEntriesRequestEncoder();
    private final AppendEntriesResponseEncoder appendResponse = new AppendEntriesResponseEncoder();
    private final VoteRequestEncoder voteRequest = new VoteRequestEncoder();
    private final VoteResponseEncoder voteResponse = new VoteResponseEncoder();
    private final InstallSnapshotRequestEncoder snapshotRequest = new InstallSnapshotRequestEncoder();
    private final InstallSnapshotResponseEncoder snapshotResponse = new InstallSnapshotResponseEncoder();
    private final TimeoutNowRequestEncoder timeoutRequest = new TimeoutNowRequestEncoder();
    private final TimeoutNowResponseEncoder timeoutResponse = new TimeoutNowResponseEncoder();
    private final ReadIndexRequestEncoder readRequest = new ReadIndexRequestEncoder();
    private final ReadIndexResponseEncoder readResponse = new ReadIndexResponseEncoder();

    private Membership encodedMembership;
    private byte[] membershipBytes;

    /** An encoder stamping {@code clusterId} into every frame header. */
    public MessageEncoder(int clusterId) {
        this.clusterId = clusterId;
    }

    /**
     * The exact frame length of {@code message}, or -1 if the wire format cannot carry it (more than
     * {@link #MAX_ENTRIES} entries, or a frame above 2 GiB).
     */
    public int encodedLength(RaftMessage message) {
        final long length = switch (message.type()) {
            case APPEND_ENTRIES_REQUEST -> {
                final EntryBatch entries = ((AppendEntriesRequest) message).entries();
                if (entries.size() > MAX_ENTRIES) {
                    yield -1;
                }
                yield AppendEntriesRequestEncoder.BLOCK_LENGTH + AppendEntriesRequestEncoder.EntriesEncoder.HEADER_SIZE
                    + (long) entries.size() * ENTRY_OVERHEAD + entries.payloadBytes();
            }
            case APPEND_ENTRIES_RESPONSE -> AppendEntriesResponseEncoder.BLOCK_LENGTH;
            case VOTE_REQUEST -> VoteRequestEncoder.BLOCK_LENGTH;
            case VOTE_RESPONSE -> VoteResponseEncoder.BLOCK_LENGTH;
            case INSTALL_SNAPSHOT_REQUEST -> {
                final InstallSnapshotRequest m = (InstallSnapshotRequest) message;
                yield InstallSnapshotRequestEncoder.BLOCK_LENGTH
                    + InstallSnapshotRequestEncoder.snapshotIdHeaderLength() + m.snapshotId().length()
                    + InstallSnapshotRequestEncoder.membershipHeaderLength() + membershipBytes(m.membership()).length
                    + InstallSnapshotRequestEncoder.dataHeaderLength() + (long) m.dataLength();
            }
            case INSTALL_SNAPSHOT_RESPONSE -> InstallSnapshotResponseEncoder.BLOCK_LENGTH
                + InstallSnapshotResponseEncoder.snapshotIdHeaderLength()
                + ((InstallSnapshotResponse) message).snapshotId().length();
            case TIMEOUT_NOW_REQUEST -> TimeoutNowRequestEncoder.BLOCK_LENGTH;
            case TIMEOUT_NOW_RESPONSE -> TimeoutNowResponseEncoder.BLOCK_LENGTH;
            case READ_INDEX_REQUEST -> ReadIndexRequestEncoder.BLOCK_LENGTH;
            case READ_INDEX_RESPONSE -> ReadIndexResponseEncoder.BLOCK_LENGTH;
        };
        return length < 0 || HEADER_LENGTH + length > Integer.MAX_VALUE ? -1 : (int) (HEADER_LENGTH + length);
    }

    /**
     * Encodes {@code message} at {@code offset}; the buffer must hold {@link #encodedLength} bytes there.
     *
     * @return the frame length
     */
    public int encode(RaftMessage message, MutableDirectBuffer buffer, int offset) {
        final int limit = switch (message.type()) {
            case APPEND_ENTRIES_REQUEST -> encode((AppendEntriesRequest) message, buffer, offset);
            case APPEND_ENTRIES_RESPONSE -> encode((AppendEntriesResponse) message, buffer, offset);
            case VOTE_REQUEST -> encode((VoteRequest) message, buffer, offset);
            case VOTE_RESPONSE -> encode((VoteResponse) message, buffer, offset);
            case INSTALL_SNAPSHOT_REQUEST -> encode((InstallSnapshotRequest) message, buffer, offset);
            case INSTALL_SNAPSHOT_RESPONSE -> encode((InstallSnapshotResponse) message, buffer, offset);
            case TIMEOUT_NOW_REQUEST -> encode((TimeoutNowRequest) message, buffer, offset);
            case TIMEOUT_NOW_RESPONSE -> encode((TimeoutNowResponse) message, buffer, offset);
            case READ_INDEX_REQUEST -> encode((ReadIndexRequest) message, buffer, offset);
            case READ_INDEX_RESPONSE -> encode((ReadIndexResponse) message, buffer, offset);
        };
        return limit - offset;
    }

    private void stamp(RaftMessage message) {
        header.clusterId(clusterId).senderId(message.from()).targetId(message.to());
    }

    private int encode(AppendEntriesRequest m, MutableDirectBuffer buffer, int offset) {
        final AppendEntriesRequestEncoder e = appendRequest.wrapAndApplyHeader(buffer, offset, header);
        stamp(m);
        e.term(m.term()).prevLogIndex(m.prevLogIndex()).prevLogTerm(m.prevLogTerm()).leaderCommit(m.leaderCommit())
            .readSeq(m.readSeq());
        final EntryBatch entries = m.entries();
        final int count = entries.size();
        final AppendEntriesRequestEncoder.EntriesEncoder group = e.entriesCount(count);
        final MutableDirectBuffer payloads = entries.buffer();
        for (int i = 0; i < count; i++) {
            group.next().entryTerm(entries.term(i)).entryType(ENTRY_KINDS[entries.type(i).code()])
                .putPayload(payloads, entries.payloadOffset(i), entries.payloadLength(i));
        }
        return e.limit();
    }

    private int encode(AppendEntriesResponse m, MutableDirectBuffer buffer, int offset) {
        final AppendEntriesResponseEncoder e = appendResponse.wrapAndApplyHeader(buffer, offset, header);
        stamp(m);
        e.term(m.term()).matchIndex(m.matchIndex()).rejectedIndex(m.rejectedIndex()).conflictTerm(m.conflictTerm())
            .conflictIndex(m.conflictIndex()).lastLogIndex(m.lastLogIndex()).success(bool(m.isSuccess()))
            .readSeq(m.readSeq());
        return e.limit();
    }

    private int encode(VoteRequest m, MutableDirectBuffer buffer, int offset) {
        final VoteRequestEncoder e = voteRequest.wrapAndApplyHeader(buffer, offset, header);
        stamp(m);
        e.term(m.term()).lastLogIndex(m.lastLogIndex()).lastLogTerm(m.lastLogTerm()).preVote(bool(m.isPreVote()))
            .leadershipTransfer(bool(m.isLeadershipTransfer()));
        return e.limit();
    }

    private int encode(VoteResponse m, MutableDirectBuffer buffer, int offset) {
        final VoteResponseEncoder e = voteResponse.wrapAndApplyHeader(buffer, offset, header);
        stamp(m);
        e.term(m.term()).granted(bool(m.isGranted())).preVote(bool(m.isPreVote()));
        return e.limit();
    }

    private int encode(InstallSnapshotRequest m, MutableDirectBuffer buffer, int offset) {
        final InstallSnapshotRequestEncoder e = snapshotRequest.wrapAndApplyHeader(buffer, offset, header);
        stamp(m);
        final byte[] membership = membershipBytes(m.membership());
        e.term(m.term()).leaderId(m.from()).lastLogTerm(m.lastLogId().term()).lastLogIndex(m.lastLogId().index())
            .chunkOffset(m.chunkOffset()).done(bool(m.isDone()))
            .snapshotId(m.snapshotId())
            .putMembership(membership, 0, membership.length)
            .putData(m.dataBuffer(), 0, m.dataLength());
        return e.limit();
    }

    private int encode(InstallSnapshotResponse m, MutableDirectBuffer buffer, int offset) {
        final InstallSnapshotResponseEncoder e = snapshotResponse.wrapAndApplyHeader(buffer, offset, header);
        stamp(m);
        e.term(m.term()).chunkOffset(m.chunkOffset()).nextOffset(m.nextOffset()).status(STATUSES[m.status().ordinal()])
            .snapshotId(m.snapshotId());
        return e.limit();
    }

    private int encode(TimeoutNowRequest m, MutableDirectBuffer buffer, int offset) {
        final TimeoutNowRequestEncoder e = timeoutRequest.wrapAndApplyHeader(buffer, offset, header);
        stamp(m);
        e.term(m.term());
        return e.limit();
    }

    private int encode(TimeoutNowResponse m, MutableDirectBuffer buffer, int offset) {
        final TimeoutNowResponseEncoder e = timeoutResponse.wrapAndApplyHeader(buffer, offset, header);
        stamp(m);
        e.term(m.term()).accepted(bool(m.isAccepted()));
        return e.limit();
    }

    private int encode(ReadIndexRequest m, MutableDirectBuffer buffer, int offset) {
        final ReadIndexRequestEncoder e = readRequest.wrapAndApplyHeader(buffer, offset, header);
        stamp(m);
        e.term(m.term()).requestId(m.requestId()).lease(bool(m.isLease()));
        return e.limit();
    }

    private int encode(ReadIndexResponse m, MutableDirectBuffer buffer, int offset) {
        final ReadIndexResponseEncoder e = readResponse.wrapAndApplyHeader(buffer, offset, header);
        stamp(m);
        e.term(m.term()).requestId(m.requestId()).readIndex(m.readIndex()).status(READ_STATUSES[m.status().ordinal()]);
        return e.limit();
    }

    private byte[] membershipBytes(Membership membership) {
        if (membership != encodedMembership && !membership.equals(encodedMembership)) {
            membershipBytes = membership.encode();
            encodedMembership = membership;
        }
        return membershipBytes;
    }

    private static BooleanType bool(boolean value) {
        return value ? BooleanType.TRUE : BooleanType.FALSE;
    }
}
