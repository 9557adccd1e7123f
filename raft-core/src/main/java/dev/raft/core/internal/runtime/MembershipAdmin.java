package dev.raft.core.internal.runtime;

import dev.raft.api.Membership;
import dev.raft.api.error.LeadershipLostException;
import dev.raft.api.error.LeadershipTransferException;
import dev.raft.api.error.MembershipChangeInProgressException;
import dev.raft.api.error.RaftException;
import dev.raft.core.internal.engine.RaftEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The futures of the membership changes and leadership transfers asked of this node: it runs each request
 * as an engine event (the engine refuses it at once by throwing, or accepts it), keeps the one change and the
 * one transfer in flight, and completes them from the engine's {@code MEMBERSHIP_CHANGE_DONE},
 * {@code TRANSFER_DONE} and {@code LEADERSHIP_LOST} commands. Outcomes are staged and completed by
 * {@link #completeStaged()} after the node published its metrics, outside the transport poll. Node thread only.
 */
final class MembershipAdmin {
    private final int nodeId;
    private final RaftEngine engine;
    private final Runnable executeCommands;
    private final List<Runnable> staged = new ArrayList<>();
    private CompletableFuture<Membership> change;
    private CompletableFuture<Void> transfer;

    MembershipAdmin(int nodeId, RaftEngine engine, Runnable executeCommands) {
        this.nodeId = nodeId;
        this.engine = engine;
        this.executeCommands = executeCommands;
    }

    /** Runs a change request ({@code request} returns whether a configuration was appended). */
    void change(CompletableFuture<Membership> future, Supplier<Boolean> request) {
        if (change != null) {
            // the engine's own check names the change; this one covers a change whose completion is still owed
            future.completeExceptionally(new MembershipChangeInProgressException(nodeId,
                "the membership change to " + engine.state().membership() + " at index "
                    + engine.state().membershipIndex(), "another membership change"));
            return;
        }
        run(future, request, () -> engine.state().membership(), f -> change = f);
    }

    /** Runs a transfer request. */
    void transfer(CompletableFuture<Void> future, int targetId) {
        run(future, () -> engine.transferLeadership(targetId), () -> null, f -> transfer = f);
    }

    /**
     * Runs {@code request} as an engine event and executes its commands: a refusal fails {@code future} at once;
     * nothing to do completes it with {@code done}'s value; else {@code inFlight} keeps it for its outcome.
     */
    private <T> void run(CompletableFuture<T> future, Supplier<Boolean> request, Supplier<T> done,
                         Consumer<CompletableFuture<T>> inFlight) {
        final boolean started;
        try {
            started = request.get();
        } catch (RaftException | IllegalArgumentException e) {
            executeCommands.run();
            future.completeExceptionally(e);
            return;
        }
        if (started) {
            inFlight.accept(future);
        } else {
            final T value = done.get();
            staged.add(() -> future.complete(value));
        }
        executeCommands.run();
    }

    /** {@code MEMBERSHIP_CHANGE_DONE}. */
    void changeDone(Membership membership) {
        final CompletableFuture<Membership> future = change;
        change = null;
        if (future != null) {
            staged.add(() -> future.complete(membership));
        }
    }

    /** {@code TRANSFER_DONE}. */
    void transferDone(int target, String failure, boolean retriable) {
        final CompletableFuture<Void> future = transfer;
        transfer = null;
        if (future == null) {
            return;
        }
        if (failure == null) {
            staged.add(() -> future.complete(null));
        } else {
            final LeadershipTransferException error = new LeadershipTransferException(nodeId, target, failure, retriable);
            staged.add(() -> future.completeExceptionally(error));
        }
    }

    /** {@code LEADERSHIP_LOST}: a change not known committed has an unknown outcome. */
    void leadershipLost(long term) {
        final CompletableFuture<Membership> future = change;
        change = null;
        if (future != null) {
            final LeadershipLostException error = new LeadershipLostException(nodeId, term,
                engine.state().membershipIndex());
            staged.add(() -> future.completeExceptionally(error));
        }
    }

    /** Fails every future in flight with {@code error} (closing, or failed). */
    void failAll(RuntimeException error) {
        if (change != null) {
            final CompletableFuture<Membership> future = change;
            staged.add(() -> future.completeExceptionally(error));
            change = null;
        }
        if (transfer != null) {
            final CompletableFuture<Void> future = transfer;
            staged.add(() -> future.completeExceptionally(error));
            transfer = null;
        }
    }

    /** Whether outcomes wait for {@link #completeStaged()}. */
    boolean hasStaged() {
        return !staged.isEmpty();
    }

    /** Completes the staged outcomes. */
    void completeStaged() {
        for (int i = 0; i < staged.size(); i++) {
            staged.get(i).run();
        }
        staged.clear();
    }
}
