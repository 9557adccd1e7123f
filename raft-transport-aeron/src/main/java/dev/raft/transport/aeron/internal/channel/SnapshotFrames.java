package dev.raft.transport.aeron.internal.channel;

import static dev.raft.api.RaftLimits.isValidIndex;
import static dev.raft.api.RaftLimits.isValidTerm;
import static dev.raft.transport.aeron.internal.channel.FrameBounds.flag;

import dev.raft.api.LogId;
import dev.raft.api.Membership;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.message.InstallSnapshotRequest;
import dev.raft.api.message.InstallSnapshotResponse;
import dev.raft.transport.aeron.internal.codec.InstallSnapshotRequestDecoder;
import dev.raft.transport.aeron.internal.codec.InstallSnapshotResponseDecoder;
import dev.raft.transport.aeron.internal.counters.ReceiveDrop;
import java.nio.charset.StandardCharsets;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Validates and decodes the bodies of InstallSnapshot requests and responses (after {@link FrameDecoder}
 * checked the header) into reusable messages. Their var-data (snapshot id, membership, data) is checked
 * against the frame's end before it is read. The snapshot id, membership and snapshot meta of a stream are
 * decoded once and reused while they repeat, so a stream's chunks decode without allocation. One instance
 * per receiving thread.
 */
final class SnapshotFrames {
    private static final InstallSnapshotResponse.Status[] STATUSES = InstallSnapshotResponse.Status.values();

    private final int localId;
    private final FrameBounds frame;
    private final InstallSnapshotRequestDecoder requestDecoder = new InstallSnapshotRequestDecoder();
    private final InstallSnapshotResponseDecoder responseDecoder = new InstallSnapshotResponseDecoder();
    private final InstallSnapshotRequest request = new InstallSnapshotRequest();
    private final InstallSnapshotResponse response = new InstallSnapshotResponse();

    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final byte[] idBytes = new byte[SnapshotMeta.MAX_ID_LENGTH];
    private int idLength = -1;
    private String id = "";
    private byte[] membershipBytes = new byte[0];
    private Membership snapshotMembership;
    private SnapshotMeta meta;

    /** Decodes into messages addressed to {@code localId}, from the frame {@code frame} holds. */
    SnapshotFrames(int localId, FrameBounds frame) {
        this.localId = localId;
        this.frame = frame;
    }

    /** An InstallSnapshot request's body at {@code body}: null if decoded, else why the frame is dropped. */
    ReceiveDrop request(int from, int body, int blockLength, int version) {
        if (blockLength < InstallSnapshotRequestDecoder.BLOCK_LENGTH) {
            return ReceiveDrop.BAD_LENGTH;
        }
        final InstallSnapshotRequestDecoder d = requestDecoder.wrap(frame.buffer(), body, blockLength, version);
        final int done = flag(d.doneRaw());
        if (done < 0) {
            return ReceiveDrop.BAD_ENUM;
        }
        final long term = d.term();
        final long lastLogTerm = d.lastLogTerm();
        final long lastLogIndex = d.lastLogIndex();
        final long chunkOffset = d.chunkOffset();
        if (d.leaderId() != from || !isValidTerm(term) || !isValidTerm(lastLogTerm) || !isValidIndex(lastLogIndex) || chunkOffset < 0
            || (lastLogTerm == 0) != (lastLogIndex == 0)) {
            return ReceiveDrop.BAD_FIELD;
        }
        final int idLen = frame.varLength(d.limit(), InstallSnapshotRequestDecoder.snapshotIdHeaderLength());
        if (idLen < 0) {
            return ReceiveDrop.BAD_LENGTH;
        }
        d.wrapSnapshotId(view);
        final String snapshotId = idLen > SnapshotMeta.MAX_ID_LENGTH ? null : snapshotId(view, idLen);
        final int membershipLen = frame.varLength(d.limit(), InstallSnapshotRequestDecoder.membershipHeaderLength());
        if (membershipLen < 0) {
            return ReceiveDrop.BAD_LENGTH;
        }
        d.wrapMembership(view);
        final int dataLen = frame.varLength(d.limit(), InstallSnapshotRequestDecoder.dataHeaderLength());
        if (dataLen < 0) {
            return ReceiveDrop.BAD_LENGTH;
        }
        if (d.limit() + InstallSnapshotRequestDecoder.dataHeaderLength() + dataLen != frame.end()) {
            return ReceiveDrop.BAD_LENGTH;
        }
        if (snapshotId == null || idLen == 0) {
            return ReceiveDrop.BAD_FIELD;
        }
        final Membership membership = snapshotMembership(view, membershipLen);
        if (membership == null) {
            return ReceiveDrop.BAD_MEMBERSHIP;
        }
        if (meta == null || meta.snapshotId() != snapshotId || meta.membership() != membership
            || meta.lastLogId().term() != lastLogTerm || meta.lastLogId().index() != lastLogIndex) {
            meta = new SnapshotMeta(snapshotId, LogId.of(lastLogTerm, lastLogIndex), membership);
        }
        d.wrapData(view);
        request.set(from, localId, term, meta, chunkOffset, view, 0, dataLen, done == 1);
        return frame.finish(d.limit(), request);
    }

    /** An InstallSnapshot response's body at {@code body}: null if decoded, else why the frame is dropped. */
    ReceiveDrop response(int from, int body, int blockLength, int version) {
        if (blockLength < InstallSnapshotResponseDecoder.BLOCK_LENGTH) {
            return ReceiveDrop.BAD_LENGTH;
        }
        final InstallSnapshotResponseDecoder d = responseDecoder.wrap(frame.buffer(), body, blockLength, version);
        final int status = d.statusRaw();
        if (status >= STATUSES.length) {
            return ReceiveDrop.BAD_ENUM;
        }
        final long term = d.term();
        final long chunkOffset = d.chunkOffset();
        final long nextOffset = d.nextOffset();
        if (!isValidTerm(term) || (chunkOffset | nextOffset) < 0) {
            return ReceiveDrop.BAD_FIELD;
        }
        final int idLen = frame.varLength(d.limit(), InstallSnapshotResponseDecoder.snapshotIdHeaderLength());
        if (idLen < 0) {
            return ReceiveDrop.BAD_LENGTH;
        }
        d.wrapSnapshotId(view);
        final String snapshotId = idLen > SnapshotMeta.MAX_ID_LENGTH ? null : snapshotId(view, idLen);
        if (snapshotId == null) {
            return ReceiveDrop.BAD_FIELD;
        }
        response.set(from, localId, term, snapshotId, chunkOffset, STATUSES[status], nextOffset);
        return frame.finish(d.limit(), response);
    }

    /** The snapshot id in {@code bytes}, reusing the last one while it repeats; null if not printable ASCII. */
    private String snapshotId(DirectBuffer bytes, int length) {
        if (length == idLength && sameBytes(bytes, idBytes, length)) {
            return id;
        }
        for (int i = 0; i < length; i++) {
            final byte c = bytes.getByte(i);
            if (c < 0x21 || c > 0x7e) {
                return null;
            }
        }
        bytes.getBytes(0, idBytes, 0, length);
        idLength = length;
        id = new String(idBytes, 0, length, StandardCharsets.US_ASCII);
        return id;
    }

    /** The membership in {@code bytes}, reusing the last one while it repeats; null if the bytes are invalid. */
    private Membership snapshotMembership(DirectBuffer bytes, int length) {
        if (snapshotMembership != null && length == membershipBytes.length && sameBytes(bytes, membershipBytes, length)) {
            return snapshotMembership;
        }
        final byte[] copy = new byte[length];
        bytes.getBytes(0, copy);
        try {
            snapshotMembership = Membership.decode(copy);
        } catch (IllegalArgumentException e) {
            return null;
        }
        membershipBytes = copy;
        return snapshotMembership;
    }

    private static boolean sameBytes(DirectBuffer bytes, byte[] cached, int length) {
        for (int i = 0; i < length; i++) {
            if (bytes.getByte(i) != cached[i]) {
                return false;
            }
        }
        return true;
    }
}
