package dev.raft.core.internal.runtime;

import dev.raft.api.Membership;
import dev.raft.api.NodeId;
import dev.raft.api.ReadPolicy;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.error.LeadershipTransferInProgressException;
import dev.raft.api.error.NodeClosedException;
import dev.raft.api.error.NotLeaderException;
import dev.raft.api.error.RaftException;
import dev.raft.api.service.NodeService;
import dev.raft.core.internal.engine.RaftEngine;
import dev.raft.core.internal.engine.RaftState;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The intake of a node's client requests. From any thread: proposals, reads, snapshot triggers and admin
 * requests (membership changes, leadership transfers, services to attach or detach) are checked (the node
 * failed or closed, a command or query too long for one AppendEntries) and queued on lock-free many-to-one
 * queues, each with the future its caller gets; a request that raced with {@link #close()} fails. On the node thread: the queued proposals go to the engine (a follower or a leader
 * handing over its leadership refuses them), and the admin commands run. The admin futures stay listed until
 * their command ran (a snapshot trigger's until its build ended) so that closing fails those still owed.
 * Allocation on a proposal: its copy, its future and its queue element, as the caller's thread makes them.
 */
final class RequestIntake {
    private final int nodeId;
    private final int maxBytes;
    private final int queueCapacity;
    private final FailStop failStop;
    private final RaftEngine engine;
    private final Applier applier;
    private final ReadRequests reads;
    private final MembershipAdmin admin;
    private final NodeServices services;
    private final ManyToOneConcurrentArrayQueue<Proposal> proposals;
    private final ManyToOneConcurrentArrayQueue<Runnable> commands = new ManyToOneConcurrentArrayQueue<>(1024);
    private final ConcurrentLinkedQueue<CompletableFuture<?>> adminFutures = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final UnsafeBuffer proposalBuffer = new UnsafeBuffer(new byte[0]);
    private final Consumer<Proposal> proposalHandler = this::onProposal;
    private final Consumer<Runnable> commandHandler = Runnable::run;

    /** A client's command waiting for the node thread. */
    private record Proposal(byte[] command, CompletableFuture<byte[]> future) {
    }

    /**
     * @param maxBytes      the longest command or query (RaftConfig.maxBytesPerAppend)
     * @param queueCapacity how many proposals may wait (RaftConfig.proposalQueueCapacity)
     */
    RequestIntake(int nodeId, int maxBytes, int queueCapacity, FailStop failStop, RaftEngine engine, Applier applier,
                  ReadRequests reads, MembershipAdmin admin, NodeServices services) {
        this.nodeId = nodeId;
        this.maxBytes = maxBytes;
        this.queueCapacity = queueCapacity;
        this.failStop = failStop;
        this.engine = engine;
        this.applier = applier;
        this.reads = reads;
        this.admin = admin;
        this.services = services;
        this.proposals = new ManyToOneConcurrentArrayQueue<>(queueCapacity);
    }

    // ------------------------------------------------------------------ any thread

    /** Whether the node was closed (requests are refused). */
    boolean isClosed() {
        return closed.get();
    }

    /** Refuses every request from now on; false if it was closed already. */
    boolean close() {
        return closed.compareAndSet(false, true);
    }

    CompletableFuture<byte[]> propose(DirectBuffer command, int offset, int length) {
        final CompletableFuture<byte[]> future = new CompletableFuture<>();
        if (refused(future, "propose")) {
            return future;
        }
        if (length > maxBytes) {
            // one entry must fit one AppendEntries: a larger one could never be replicated
            future.completeExceptionally(tooLong("command", length));
            return future;
        }
        final byte[] copy = new byte[length];
        command.getBytes(offset, copy);
        if (!proposals.offer(new Proposal(copy, future))) {
            future.completeExceptionally(full("proposal"));
        } else {
            failIfClosed(future, "propose"); // raced with close
        }
        return future;
    }

    CompletableFuture<byte[]> read(ReadPolicy policy, DirectBuffer query, int offset, int length) {
        final CompletableFuture<byte[]> future = new CompletableFuture<>();
        if (refused(future, "read")) {
            return future;
        }
        if (policy == null) {
            future.completeExceptionally(new IllegalArgumentException("node " + nodeId + ": read policy is null"));
            return future;
        }
        if (length > maxBytes) {
            future.completeExceptionally(tooLong("query", length));
            return future;
        }
        final byte[] copy = new byte[length];
        query.getBytes(offset, copy);
        if (!reads.offer(policy, copy, future)) {
            future.completeExceptionally(full("read"));
        } else {
            failIfClosed(future, "read"); // raced with close
        }
        return future;
    }

    /** Queues a snapshot build; its future stays listed until {@link SnapshotBuilds} completes it. */
    CompletableFuture<SnapshotMeta> triggerSnapshot(SnapshotBuilds builds) {
        final CompletableFuture<SnapshotMeta> future = new CompletableFuture<>();
        if (refused(future, "triggerSnapshot")) {
            return future;
        }
        adminFutures.add(future);
        queueCommand(future, "triggerSnapshot", () -> builds.build(future));
        return future;
    }

    CompletableFuture<Membership> changeMembership(long expectedConfigIndex, int[] voters, int[] learners) {
        final int[] v = voters.clone();
        final int[] l = learners.clone();
        return admin("changeMembership", (CompletableFuture<Membership> f) ->
            admin.change(f, () -> engine.changeMembership(expectedConfigIndex, v, l, Map.of())));
    }

    CompletableFuture<Membership> addLearner(int id, String endpoint) {
        return admin("addLearner", (CompletableFuture<Membership> f) ->
            admin.change(f, () -> engine.addLearner(id, endpoint)));
    }

    CompletableFuture<Void> transferLeadership(int targetId) {
        return admin("transferLeadership", (CompletableFuture<Void> f) -> admin.transfer(f, targetId));
    }

    CompletableFuture<Void> attach(NodeService service) {
        Objects.requireNonNull(service, "service");
        return admin("attach", (CompletableFuture<Void> f) -> {
            try {
                services.attach(service);
                f.complete(null);
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
    }

    CompletableFuture<Void> detach(NodeService service) {
        Objects.requireNonNull(service, "service");
        final CompletableFuture<Void> future = admin("detach", (CompletableFuture<Void> f) -> {
            services.detach(service);
            f.complete(null);
        });
        // a closed or failed node has detached every service already
        return future.isCompletedExceptionally() ? CompletableFuture.completedFuture(null) : future;
    }

    /** Queues an admin request for the node thread; its future fails at once if the node is closed or failed. */
    private <T> CompletableFuture<T> admin(String what, Consumer<CompletableFuture<T>> request) {
        final CompletableFuture<T> future = new CompletableFuture<>();
        if (refused(future, what)) {
            return future;
        }
        adminFutures.add(future);
        queueCommand(future, what, () -> {
            adminFutures.remove(future);
            request.accept(future);
        });
        return future;
    }

    /** The admin futures not completed yet, which a snapshot build removes once it completes its own. */
    ConcurrentLinkedQueue<CompletableFuture<?>> adminFutures() {
        return adminFutures;
    }

    private void queueCommand(CompletableFuture<?> future, String what, Runnable command) {
        if (!commands.offer(command)) {
            future.completeExceptionally(new RaftException("node " + nodeId + ": admin command queue full"));
        } else {
            failIfClosed(future, what);
        }
    }

    /** Fails {@code future} if the node failed or is closed; true if it did. */
    private boolean refused(CompletableFuture<?> future, String what) {
        if (failStop.failed()) {
            future.completeExceptionally(failStop.error());
            return true;
        }
        return failIfClosed(future, what);
    }

    private boolean failIfClosed(CompletableFuture<?> future, String what) {
        if (closed.get()) {
            future.completeExceptionally(new NodeClosedException(nodeId, what));
            return true;
        }
        return false;
    }

    private RaftException tooLong(String what, int length) {
        return new RaftException("node " + nodeId + ": " + what + " of " + length
            + " bytes exceeds RaftConfig.maxBytesPerAppend = " + maxBytes);
    }

    private RaftException full(String queue) {
        return new RaftException("node " + nodeId + ": " + queue + " queue full (" + queueCapacity
            + " waiting, RaftConfig.proposalQueueCapacity)");
    }

    // ------------------------------------------------------------------ node thread

    /** Hands up to {@code limit} queued proposals to the engine; returns how many. */
    int drainProposals(int limit) {
        return proposals.drain(proposalHandler, limit);
    }

    /** Runs up to {@code limit} queued admin commands; returns how many. */
    int drainCommands(int limit) {
        return commands.isEmpty() ? 0 : commands.drain(commandHandler, limit);
    }

    private void onProposal(Proposal p) {
        final RaftState state = engine.state();
        if (!state.isLeader()) {
            p.future().completeExceptionally(new NotLeaderException(nodeId, state.leaderId(), state.term()));
            return;
        }
        if (engine.transferTarget() != NodeId.NONE) {
            // fail fast, retriable: the leadership moves (or the transfer fails and this node resumes)
            p.future().completeExceptionally(new LeadershipTransferInProgressException(nodeId,
                engine.transferTarget(), state.term()));
            return;
        }
        proposalBuffer.wrap(p.command());
        applier.addProposal(engine.propose(proposalBuffer, 0, p.command().length), p.future());
    }

    /**
     * Fails every queued request and every admin future still owed: with the node's fatal error, or as closed.
     * Any thread, after the node thread stopped draining (or on it, stopping).
     */
    void failQueued() {
        final Throwable cause = failStop.cause();
        final RuntimeException error = cause != null ? failStop.error() : new NodeClosedException(nodeId, "propose");
        proposals.drain(p -> p.future().completeExceptionally(error));
        reads.failAll(error);
        commands.clear();
        CompletableFuture<?> f;
        while ((f = adminFutures.poll()) != null) {
            f.completeExceptionally(cause != null ? error
                : new NodeClosedException(nodeId, "a pending admin request (snapshot, membership change, transfer, attach)"));
        }
    }
}
