package dev.raft.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.raft.api.error.NotLeaderException;
import dev.raft.examples.kv.KvCommands;
import dev.raft.examples.kv.KvResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The demo's writes and reads survive a leader change (issue 11 item 4: {@code Demo.writeAll} threw at the first
 * write its leader failed when the leadership moved under load): failed commands go again through the leader known
 * then; a command that keeps failing ends the run with its failure.
 */
class LeaderPipelineTest {
    /** A node that answers its first {@code answered} commands, then fails every later one (it lost the leadership). */
    private static final class Node implements LeaderPipeline.Target {
        private final int id;
        private final int answered;
        final List<String> seen = new ArrayList<>();

        Node(int id, int answered) {
            this.id = id;
            this.answered = answered;
        }

        @Override
        public CompletableFuture<KvResult> submit(byte[] command) {
            seen.add(new String(command, StandardCharsets.ISO_8859_1));
            if (seen.size() > answered) {
                return CompletableFuture.failedFuture(new NotLeaderException(id, 0, 1));
            }
            return CompletableFuture.completedFuture(
                new KvResult(KvResult.Status.OK, ("from " + id).getBytes(StandardCharsets.UTF_8)));
        }
    }

    private static List<byte[]> puts(int n) {
        final List<byte[]> commands = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            commands.add(KvCommands.put("k" + i, new byte[] {(byte) i}));
        }
        return commands;
    }

    @Test
    void commandsAFormerLeaderFailedGoAgainThroughTheNewLeader() throws Exception {
        final Node first = new Node(1, 300);
        final Node second = new Node(2, Integer.MAX_VALUE);
        final AtomicInteger leaderLookups = new AtomicInteger();
        final LeaderPipeline pipeline = new LeaderPipeline(
            () -> leaderLookups.getAndIncrement() == 0 ? first : second, 64, 1000);
        final AtomicInteger completed = new AtomicInteger();
        final List<KvResult> results = pipeline.run(puts(1000), i -> completed.incrementAndGet());

        assertEquals(1000, results.size());
        assertEquals(1000, completed.get());
        for (int i = 0; i < 1000; i++) {
            assertEquals(KvResult.Status.OK, results.get(i).status(), "command " + i);
            assertEquals(i < 300 ? "from 1" : "from 2", results.get(i).valueText(), "command " + i);
        }
        // the commands node 1 failed (those of the window in flight when it lost the leadership) went to node 2
        assertEquals(pipeline.resubmitted(), first.seen.size() - 300);
        assertEquals(1000 - 300, second.seen.size());
    }

    @Test
    void aCommandThatKeepsFailingEndsTheRunWithItsFailure() {
        final Node never = new Node(3, 0);
        final LeaderPipeline pipeline = new LeaderPipeline(() -> never, 4, 1000);
        final ExecutionException e = assertThrows(ExecutionException.class, () -> pipeline.run(puts(10), i -> { }));
        assertEquals(NotLeaderException.class, e.getCause().getClass());
        assertEquals(LeaderPipeline.MAX_ATTEMPTS - 1, pipeline.resubmitted());
    }
}
