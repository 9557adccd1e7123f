package dev.raft.core.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.LogId;
import dev.raft.api.Membership;
import dev.raft.api.RaftLimits;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.Vote;
import dev.raft.api.message.AppendEntriesRequest;
import dev.raft.api.message.AppendEntriesResponse;
import dev.raft.api.message.InstallSnapshotRequest;
import dev.raft.api.message.InstallSnapshotResponse;
import dev.raft.api.message.RaftMessage;
import dev.raft.api.message.VoteRequest;
import dev.raft.api.message.VoteResponse;
import java.util.List;
import java.util.function.Supplier;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue #11 item 4: a term or log index at or above {@link RaftLimits}' ceilings, in any message, is
 * refused and counted as malformed; nothing changes (before: a vote request of term {@code Long.MAX_VALUE}
 * was adopted, persisted, and froze the cluster, since {@code term + 1} overflows).
 */
class TermCeilingTest {
    private static final long HUGE = RaftLimits.MAX_TERM;
    private static final SnapshotMeta META = new SnapshotMeta("s", LogId.of(1, 5), Membership.of(1, 2, 3));

    static List<Supplier<RaftMessage>> malformed() {
        return List.of(
            () -> new VoteRequest().set(2, 1, Long.MAX_VALUE, 3, 1, false, false),
            () -> new VoteRequest().set(2, 1, HUGE, 3, 1, true, false),
            () -> new VoteRequest().set(2, 1, 2, HUGE, 1, false, false),
            () -> new VoteRequest().set(2, 1, 2, 3, HUGE, false, false),
            () -> new VoteRequest().set(2, 1, -1, 3, 1, false, false),
            () -> new VoteResponse().set(2, 1, HUGE, false, false),
            () -> new AppendEntriesRequest().set(2, 1, HUGE, 3, 1, 3),
            () -> new AppendEntriesRequest().set(2, 1, 2, HUGE, 1, 3),
            () -> new AppendEntriesRequest().set(2, 1, 2, 3, HUGE, 3),
            () -> new AppendEntriesRequest().set(2, 1, 2, 3, 1, HUGE),
            () -> {
                final AppendEntriesRequest r = new AppendEntriesRequest().set(2, 1, 2, 3, 1, 3);
                r.entries().add(HUGE, 4, dev.raft.api.EntryType.NORMAL, new byte[] {1});
                return r;
            },
            () -> new AppendEntriesResponse().success(2, 1, HUGE, 3, 3),
            () -> new AppendEntriesResponse().success(2, 1, 1, HUGE, 3),
            () -> new AppendEntriesResponse().reject(2, 1, 1, HUGE, 0, 1, 3),
            () -> new AppendEntriesResponse().reject(2, 1, 1, 3, HUGE, 1, 3),
            () -> new AppendEntriesResponse().reject(2, 1, 1, 3, 0, HUGE, 3),
            () -> new AppendEntriesResponse().reject(2, 1, 1, 3, 0, 1, HUGE),
            () -> new InstallSnapshotRequest().set(2, 1, HUGE, META, 0, new UnsafeBuffer(new byte[4]), 0, 4, false),
            () -> new InstallSnapshotRequest().set(2, 1, 2,
                new SnapshotMeta("s", LogId.of(HUGE, 5), Membership.of(1, 2, 3)), 0, new UnsafeBuffer(new byte[4]), 0, 4,
                false),
            () -> new InstallSnapshotRequest().set(2, 1, 2,
                new SnapshotMeta("s", LogId.of(1, HUGE), Membership.of(1, 2, 3)), 0, new UnsafeBuffer(new byte[4]), 0, 4,
                false),
            () -> new InstallSnapshotResponse().set(2, 1, HUGE, "s", 0, InstallSnapshotResponse.Status.ACCEPTED, 4));
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void aTermOrIndexAtOrAboveTheCeilingIsRefusedAndCountedAsMalformed(Supplier<RaftMessage> message) {
        final TestNode n = new TestNode(TestNode.config(1, 1, 2, 3).build(), 5).start(new Vote(1, 2), 1, 1, 1);
        final RaftMessage m = message.get();
        n.receive(m);
        assertEquals(1, n.engine.counter(EngineCounter.MALFORMED_DROPPED), m::toString);
        assertTrue(n.commands.isEmpty(), () -> m + " caused " + n.commands);
        assertEquals(1, n.engine.term());
        assertEquals(new Vote(1, 2), n.savedVote);
    }
}
