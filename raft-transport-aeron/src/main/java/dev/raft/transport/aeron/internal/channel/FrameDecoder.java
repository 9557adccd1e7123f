package dev.raft.transport.aeron.internal.channel;

import static dev.raft.api.RaftLimits.isValidIndex;
import static dev.raft.api.RaftLimits.isValidTerm;
import static dev.raft.transport.aeron.internal.channel.FrameBounds.ORDER;
import static dev.raft.transport.aeron.internal.channel.FrameBounds.flag;

import dev.raft.api.EntryBatch;
import dev.raft.api.EntryType;
import dev.raft.api.Membership;
import dev.raft.api.message.AppendEntriesRequest;
import dev.raft.api.message.AppendEntriesResponse;
import dev.raft.api.message.RaftMessage;
import dev.raft.api.message.ReadIndexRequest;
import dev.raft.api.message.ReadIndexResponse;
import dev.raft.api.message.TimeoutNowRequest;
import dev.raft.api.message.TimeoutNowResponse;
import dev.raft.api.message.VoteRequest;
import dev.raft.api.message.VoteResponse;
import dev.raft.transport.aeron.internal.codec.AppendEntriesRequestDecoder;
import dev.raft.transport.aeron.internal.codec.AppendEntriesResponseDecoder;
import dev.raft.transport.aeron.internal.codec.InstallSnapshotRequestDecoder;
import dev.raft.transport.aeron.internal.codec.InstallSnapshotResponseDecoder;
import dev.raft.transport.aeron.internal.codec.MessageHeaderDecoder;
import dev.raft.transport.aeron.internal.codec.ReadIndexRequestDecoder;
import dev.raft.transport.aeron.internal.codec.ReadIndexResponseDecoder;
import dev.raft.transport.aeron.internal.codec.TimeoutNowRequestDecoder;
import dev.raft.transport.aeron.internal.codec.TimeoutNowResponseDecoder;
import dev.raft.transport.aeron.internal.codec.VoteRequestDecoder;
import dev.raft.transport.aeron.internal.codec.VoteResponseDecoder;
import dev.raft.transport.aeron.internal.counters.ReceiveDrop;
import org.agrona.DirectBuffer;
import org.agrona.collections.IntHashSet;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Validates and decodes one frame, exactly as the fragment handler hands it over ({@code buffer},
 * {@code offset}, {@code length}), into reusable Raft messages with the generated flyweight decoders.
 *
 * <p>Never throws on bad input: every length is checked against the frame's end before the group or
 * var-data it announces is read, and every enum code and field range before it reaches a message; the
 * first violation is returned as a {@link ReceiveDrop}. Every term and log index must be below its
 * ceiling ({@link dev.raft.api.RaftLimits}): a frame claiming one at or above it is {@code BAD_FIELD}, so
 * no arithmetic on a received term or index can overflow (a term of {@code Long.MAX_VALUE} could never
 * be incremented and would freeze every node that adopted it). Allocation-free on the steady state: snapshot
 * ids, memberships and snapshot metas of InstallSnapshot streams are decoded once and reused while they
 * repeat ({@link SnapshotFrames} decodes those two messages; {@link FrameBounds} holds the frame being
 * decoded). One instance per receiving thread.
 */
public final class FrameDecoder {
    private static final int HEADER_LENGTH = MessageHeaderDecoder.ENCODED_LENGTH;
    private static final int ENTRY_BLOCK = AppendEntriesRequestDecoder.EntriesDecoder.sbeBlockLength();
    private static final int GROUP_HEADER = AppendEntriesRequestDecoder.EntriesDecoder.HEADER_SIZE;
    private static final int PAYLOAD_HEADER = AppendEntriesRequestDecoder.EntriesDecoder.payloadHeaderLength();
    private static final ReadIndexResponse.Status[] READ_STATUSES = ReadIndexResponse.Status.values();

    private final int clusterId;
    private final int localId;
    private IntHashSet senders;

    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final AppendEntriesRequestDecoder appendRequestDecoder = new AppendEntriesRequestDecoder();
    private final AppendEntriesResponseDecoder appendResponseDecoder = new AppendEntriesResponseDecoder();
    private final VoteRequestDecoder voteRequestDecoder = new VoteRequestDecoder();
    private final VoteResponseDecoder voteResponseDecoder = new VoteResponseDecoder();
    private final TimeoutNowRequestDecoder timeoutRequestDecoder = new TimeoutNowRequestDecoder();
    private final TimeoutNowResponseDecoder timeoutResponseDecoder = new TimeoutNowResponseDecoder();
    private final ReadIndexRequestDecoder readRequestDecoder = new ReadIndexRequestDecoder();
    private final ReadIndexResponseDecoder readResponseDecoder = new ReadIndexResponseDecoder();

    private final AppendEntriesRequest appendRequest = new AppendEntriesRequest();
    private final AppendEntriesResponse appendResponse = new AppendEntriesResponse();
    private final VoteRequest voteRequest = new VoteRequest();
    private final VoteResponse voteResponse = new VoteResponse();
    private final TimeoutNowRequest timeoutRequest = new TimeoutNowRequest();
    private final TimeoutNowResponse timeoutResponse = new TimeoutNowResponse();
    private final ReadIndexRequest readRequest = new ReadIndexRequest();
    private final ReadIndexResponse readResponse = new ReadIndexResponse();

    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final FrameBounds frame = new FrameBounds();
    private final SnapshotFrames snapshots;

    /** A decoder for frames of cluster {@code clusterId} addressed to node {@code localId}. */
    public FrameDecoder(int clusterId, int localId) {
        this.clusterId = clusterId;
        this.localId = localId;
        this.snapshots = new SnapshotFrames(localId, frame);
    }

    /** From now on, accept frames only from members of {@code membership} (other than this node). */
    public void membership(Membership membership) {
        final IntHashSet members = new IntHashSet(membership.size());
        for (int i = 0; i < membership.size(); i++) {
            members.add(membership.nodeAt(i));
        }
        senders(members);
    }

    /** From now on, accept frames only from {@code ids} (other than this node); the set is not copied. */
    public void senders(IntHashSet ids) {
        this.senders = ids;
    }

    /**
     * Decodes one frame.
     *
     * @return null if a message was decoded (see {@link #message()}), else why the frame is dropped
     */
    public ReceiveDrop decode(DirectBuffer buffer, int offset, int length) {
        frame.clear();
        if (length < HEADER_LENGTH) {
            return ReceiveDrop.TRUNCATED_HEADER;
        }
        header.wrap(buffer, offset);
        if (header.schemaId() != MessageHeaderDecoder.SCHEMA_ID) {
            return ReceiveDrop.UNKNOWN_SCHEMA;
        }
        final int version = header.version();
        if (version < 1 || version > MessageHeaderDecoder.SCHEMA_VERSION) {
            return ReceiveDrop.UNKNOWN_VERSION;
        }
        if (header.clusterId() != clusterId) {
            return ReceiveDrop.WRONG_CLUSTER;
        }
        if (header.targetId() != localId) {
            return ReceiveDrop.WRONG_TARGET;
        }
        final int from = header.senderId();
        if (from == localId || senders == null || !senders.contains(from)) {
            return ReceiveDrop.UNKNOWN_SENDER;
        }
        final int blockLength = header.blockLength();
        final int body = offset + HEADER_LENGTH;
        final int end = offset + length;
        frame.wrap(buffer, end);
        if (blockLength > end - body) {
            return ReceiveDrop.BAD_LENGTH;
        }
        return switch (header.templateId()) {
            case AppendEntriesRequestDecoder.TEMPLATE_ID -> appendRequest(from, body, blockLength, version);
            case AppendEntriesResponseDecoder.TEMPLATE_ID -> appendResponse(from, body, blockLength, version);
            case VoteRequestDecoder.TEMPLATE_ID -> voteRequest(from, body, blockLength, version);
            case VoteResponseDecoder.TEMPLATE_ID -> voteResponse(from, body, blockLength, version);
            case InstallSnapshotRequestDecoder.TEMPLATE_ID -> snapshots.request(from, body, blockLength, version);
            case InstallSnapshotResponseDecoder.TEMPLATE_ID -> snapshots.response(from, body, blockLength, version);
            case TimeoutNowRequestDecoder.TEMPLATE_ID -> timeoutRequest(from, body, blockLength, version);
            case TimeoutNowResponseDecoder.TEMPLATE_ID -> timeoutResponse(from, body, blockLength, version);
            case ReadIndexRequestDecoder.TEMPLATE_ID -> readRequest(from, body, blockLength, version);
            case ReadIndexResponseDecoder.TEMPLATE_ID -> readResponse(from, body, blockLength, version);
            default -> ReceiveDrop.UNKNOWN_TEMPLATE;
        };
    }

    /** The message decoded by the last successful {@link #decode}; reused by the next call. */
    public RaftMessage message() {
        return frame.message();
    }

    private ReceiveDrop appendRequest(int from, int body, int blockLength, int version) {
        final boolean hasReadSeq = version >= AppendEntriesRequestDecoder.readSeqSinceVersion();
        if (blockLength < (hasReadSeq ? AppendEntriesRequestDecoder.BLOCK_LENGTH
            : AppendEntriesRequestDecoder.readSeqEncodingOffset())) {
            return ReceiveDrop.BAD_LENGTH;
        }
        final DirectBuffer buffer = frame.buffer();
        final int end = frame.end();
        final AppendEntriesRequestDecoder d = appendRequestDecoder.wrap(buffer, body, blockLength, version);
        final long term = d.term();
        final long prevLogIndex = d.prevLogIndex();
        final long prevLogTerm = d.prevLogTerm();
        final long leaderCommit = d.leaderCommit();
        final long readSeq = hasReadSeq ? d.readSeq() : 0;
        if (!isValidTerm(term) || !isValidIndex(prevLogIndex) || !isValidTerm(prevLogTerm) || !isValidIndex(leaderCommit)
            || readSeq < 0) {
            return ReceiveDrop.BAD_FIELD;
        }
        int limit = d.limit();
        if (GROUP_HEADER > end - limit) {
            return ReceiveDrop.BAD_LENGTH;
        }
        final int entryBlock = buffer.getShort(limit, ORDER) & 0xFFFF;
        final int count = buffer.getShort(limit + 2, ORDER) & 0xFFFF;
        if (entryBlock < ENTRY_BLOCK || (long) count * (entryBlock + PAYLOAD_HEADER) > end - limit - GROUP_HEADER) {
            return ReceiveDrop.BAD_LENGTH;
        }
        if (!isValidIndex(prevLogIndex + count)) {
            return ReceiveDrop.BAD_FIELD;
        }
        final AppendEntriesRequest m = appendRequest.set(from, localId, term, prevLogIndex, prevLogTerm, leaderCommit)
            .readSeq(readSeq);
        final EntryBatch entries = m.entries();
        final AppendEntriesRequestDecoder.EntriesDecoder group = d.entries();
        long previousTerm = 1;
        for (int i = 0; i < count; i++) {
            limit = d.limit();
            if (entryBlock + PAYLOAD_HEADER > end - limit) {
                return ReceiveDrop.BAD_LENGTH;
            }
            group.next();
            final long entryTerm = group.entryTerm();
            final int kind = group.entryTypeRaw();
            final long payloadLength = buffer.getInt(limit + entryBlock, ORDER) & 0xFFFF_FFFFL;
            if (payloadLength > end - limit - entryBlock - PAYLOAD_HEADER) {
                return ReceiveDrop.BAD_LENGTH;
            }
            if (!EntryType.isKnownCode(kind)) {
                return ReceiveDrop.BAD_ENUM;
            }
            if (entryTerm < previousTerm || !isValidTerm(entryTerm)) {
                return ReceiveDrop.BAD_FIELD;
            }
            previousTerm = entryTerm;
            group.wrapPayload(view);
            entries.add(entryTerm, prevLogIndex + 1 + i, EntryType.fromCode(kind), view, 0, view.capacity());
        }
        return frame.finish(d.limit(), m);
    }

    private ReceiveDrop appendResponse(int from, int body, int blockLength, int version) {
        final boolean hasReadSeq = version >= AppendEntriesResponseDecoder.readSeqSinceVersion();
        if (blockLength < (hasReadSeq ? AppendEntriesResponseDecoder.BLOCK_LENGTH
            : AppendEntriesResponseDecoder.readSeqEncodingOffset())) {
            return ReceiveDrop.BAD_LENGTH;
        }
        final AppendEntriesResponseDecoder d = appendResponseDecoder.wrap(frame.buffer(), body, blockLength, version);
        final int success = flag(d.successRaw());
        if (success < 0) {
            return ReceiveDrop.BAD_ENUM;
        }
        final long term = d.term();
        final long matchIndex = d.matchIndex();
        final long rejectedIndex = d.rejectedIndex();
        final long conflictTerm = d.conflictTerm();
        final long conflictIndex = d.conflictIndex();
        final long lastLogIndex = d.lastLogIndex();
        final long readSeq = hasReadSeq ? d.readSeq() : 0;
        if (!isValidTerm(term) || !isValidIndex(matchIndex) || !isValidIndex(rejectedIndex) || !isValidTerm(conflictTerm)
            || !isValidIndex(conflictIndex) || !isValidIndex(lastLogIndex) || readSeq < 0) {
            return ReceiveDrop.BAD_FIELD;
        }
        if (success == 1) {
            appendResponse.success(from, localId, term, matchIndex, lastLogIndex);
        } else {
            appendResponse.reject(from, localId, term, rejectedIndex, conflictTerm, conflictIndex, lastLogIndex);
        }
        appendResponse.readSeq(readSeq);
        return frame.finish(d.limit(), appendResponse);
    }

    private ReceiveDrop voteRequest(int from, int body, int blockLength, int version) {
        final int required = version < VoteRequestDecoder.leadershipTransferSinceVersion()
            ? VoteRequestDecoder.leadershipTransferEncodingOffset() : VoteRequestDecoder.BLOCK_LENGTH;
        if (blockLength < required) {
            return ReceiveDrop.BAD_LENGTH;
        }
        final VoteRequestDecoder d = voteRequestDecoder.wrap(frame.buffer(), body, blockLength, version);
        final int preVote = flag(d.preVoteRaw());
        final int rawTransfer = d.leadershipTransferRaw();
        final int transfer = version < VoteRequestDecoder.leadershipTransferSinceVersion() ? 0 : flag(rawTransfer);
        if (preVote < 0 || transfer < 0) {
            return ReceiveDrop.BAD_ENUM;
        }
        final long term = d.term();
        final long lastLogIndex = d.lastLogIndex();
        final long lastLogTerm = d.lastLogTerm();
        if (!isValidTerm(term) || !isValidIndex(lastLogIndex) || !isValidTerm(lastLogTerm)) {
            return ReceiveDrop.BAD_FIELD;
        }
        voteRequest.set(from, localId, term, lastLogIndex, lastLogTerm, preVote == 1, transfer == 1);
        return frame.finish(d.limit(), voteRequest);
    }

    private ReceiveDrop voteResponse(int from, int body, int blockLength, int version) {
        if (blockLength < VoteResponseDecoder.BLOCK_LENGTH) {
            return ReceiveDrop.BAD_LENGTH;
        }
        final VoteResponseDecoder d = voteResponseDecoder.wrap(frame.buffer(), body, blockLength, version);
        final int granted = flag(d.grantedRaw());
        final int preVote = flag(d.preVoteRaw());
        if (granted < 0 || preVote < 0) {
            return ReceiveDrop.BAD_ENUM;
        }
        if (!isValidTerm(d.term())) {
            return ReceiveDrop.BAD_FIELD;
        }
        voteResponse.set(from, localId, d.term(), granted == 1, preVote == 1);
        return frame.finish(d.limit(), voteResponse);
    }

    private ReceiveDrop timeoutRequest(int from, int body, int blockLength, int version) {
        if (blockLength < TimeoutNowRequestDecoder.BLOCK_LENGTH) {
            return ReceiveDrop.BAD_LENGTH;
        }
        final TimeoutNowRequestDecoder d = timeoutRequestDecoder.wrap(frame.buffer(), body, blockLength, version);
        if (!isValidTerm(d.term())) {
            return ReceiveDrop.BAD_FIELD;
        }
        timeoutRequest.set(from, localId, d.term());
        return frame.finish(d.limit(), timeoutRequest);
    }

    private ReceiveDrop timeoutResponse(int from, int body, int blockLength, int version) {
        if (blockLength < TimeoutNowResponseDecoder.BLOCK_LENGTH) {
            return ReceiveDrop.BAD_LENGTH;
        }
        final TimeoutNowResponseDecoder d = timeoutResponseDecoder.wrap(frame.buffer(), body, blockLength, version);
        final int accepted = flag(d.acceptedRaw());
        if (accepted < 0) {
            return ReceiveDrop.BAD_ENUM;
        }
        if (!isValidTerm(d.term())) {
            return ReceiveDrop.BAD_FIELD;
        }
        timeoutResponse.set(from, localId, d.term(), accepted == 1);
        return frame.finish(d.limit(), timeoutResponse);
    }

    private ReceiveDrop readRequest(int from, int body, int blockLength, int version) {
        if (blockLength < ReadIndexRequestDecoder.BLOCK_LENGTH) {
            return ReceiveDrop.BAD_LENGTH;
        }
        final ReadIndexRequestDecoder d = readRequestDecoder.wrap(frame.buffer(), body, blockLength, version);
        final int lease = flag(d.leaseRaw());
        if (lease < 0) {
            return ReceiveDrop.BAD_ENUM;
        }
        if (!isValidTerm(d.term()) || d.requestId() < 0) {
            return ReceiveDrop.BAD_FIELD;
        }
        readRequest.set(from, localId, d.term(), d.requestId(), lease == 1);
        return frame.finish(d.limit(), readRequest);
    }

    private ReceiveDrop readResponse(int from, int body, int blockLength, int version) {
        if (blockLength < ReadIndexResponseDecoder.BLOCK_LENGTH) {
            return ReceiveDrop.BAD_LENGTH;
        }
        final ReadIndexResponseDecoder d = readResponseDecoder.wrap(frame.buffer(), body, blockLength, version);
        final int status = d.statusRaw();
        if (status >= READ_STATUSES.length) {
            return ReceiveDrop.BAD_ENUM;
        }
        final long readIndex = d.readIndex();
        if (!isValidTerm(d.term()) || d.requestId() < 0 || !isValidIndex(readIndex)) {
            return ReceiveDrop.BAD_FIELD;
        }
        readResponse.set(from, localId, d.term(), d.requestId(), readIndex, READ_STATUSES[status]);
        return frame.finish(d.limit(), readResponse);
    }
}
