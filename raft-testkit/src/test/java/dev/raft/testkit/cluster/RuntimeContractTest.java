package dev.raft.testkit.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.Membership;
import dev.raft.api.RaftMetrics;
import dev.raft.api.RaftNode;
import dev.raft.api.config.RaftConfig;
import dev.raft.api.transport.MessageHandler;
import dev.raft.api.transport.Transport;
import dev.raft.core.RaftCounters;
import dev.raft.core.RaftNodeBuilder;
import dev.raft.testkit.memory.FlushMode;
import dev.raft.testkit.memory.InMemoryDisk;
import dev.raft.testkit.network.LocalNetwork;
import dev.raft.testkit.statemachine.KvStateMachine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.agrona.concurrent.SystemNanoClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the runtime promises its embedders: client futures are completed on the node thread after the
 * transport poll returned, never inside it (so a client continuation never runs inside a transport's
 * callback, such as Aeron's {@code controlledPoll}); and the engine's counters are readable from another
 * process while the node runs.
 */
class RuntimeContractTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** A transport that knows whether its poll is running on the calling thread. */
    private static final class PollWatchingTransport extends ForwardingTransport {
        static final ThreadLocal<Boolean> INSIDE_POLL = ThreadLocal.withInitial(() -> false);
        PollWatchingTransport(Transport delegate) {
            super(delegate);
        }

        @Override
        public int poll(MessageHandler handler, int limit) {
            INSIDE_POLL.set(true);
            try {
                return super.poll(handler, limit);
            } finally {
                INSIDE_POLL.set(false);
            }
        }
    }

    private static RaftConfig config(int id) {
        return RaftConfig.builder().nodeId(id).initialMembership(Membership.of(1, 2, 3))
            .electionTimeoutMillis(400, 800).heartbeatIntervalMillis(50).maxParkMicros(1000).build();
    }

    private static List<RaftNode> startCluster(LocalNetwork network, Path countersDir) {
        final List<RaftNode> nodes = new ArrayList<>();
        for (int id = 1; id <= 3; id++) {
            final InMemoryDisk disk = new InMemoryDisk();
            final RaftNodeBuilder builder = RaftNodeBuilder.forConfig(config(id))
                .logStore(disk.openLogStore(FlushMode.BACKGROUND)).snapshotStore(disk.openSnapshotStore())
                .stateMachine(new KvStateMachine()).transport(new PollWatchingTransport(network.register(id)));
            if (countersDir != null) {
                builder.countersDirectory(countersDir);
            }
            final RaftNode node = builder.build();
            nodes.add(node);
            node.start();
        }
        return nodes;
    }

    @Test
    @Timeout(60)
    void clientFuturesAreCompletedOnTheNodeThreadOutsideTheTransportPoll() throws Exception {
        final LocalNetwork network = new LocalNetwork(SystemNanoClock.INSTANCE, 7);
        final List<RaftNode> nodes = startCluster(network, null);
        try {
            final RaftNode leader = ForwardingTransport.awaitLeader(nodes, WAIT);
            final AtomicInteger insidePoll = new AtomicInteger();
            final java.util.Set<String> completingThreads = java.util.concurrent.ConcurrentHashMap.newKeySet();
            final List<CompletableFuture<?>> done = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                final CompletableFuture<byte[]> f = leader.propose(KvStateMachine.put("k" + i, new byte[] {(byte) i}));
                // a dependent action registered before completion runs on the completing thread, synchronously
                done.add(f.handle((response, error) -> {
                    if (PollWatchingTransport.INSIDE_POLL.get()) {
                        insidePoll.incrementAndGet();
                    }
                    completingThreads.add(Thread.currentThread().getName());
                    return response;
                }));
            }
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(0, insidePoll.get(), "client continuations ran inside the transport poll");
            // the node thread (or this thread, had a future completed before its action was registered)
            completingThreads.remove(Thread.currentThread().getName());
            assertEquals(java.util.Set.of("raft-node-" + leader.id()), completingThreads);
        } finally {
            nodes.forEach(RaftNode::close);
        }
    }

    @Test
    @Timeout(120)
    void engineCountersAreReadableFromAnotherProcessWhileTheNodeRuns(@TempDir Path dir) throws Exception {
        final LocalNetwork network = new LocalNetwork(SystemNanoClock.INSTANCE, 11);
        final List<RaftNode> nodes = startCluster(network, dir);
        try {
            final RaftNode leader = ForwardingTransport.awaitLeader(nodes, WAIT);
            final int id = leader.id();
            final RaftMetrics metrics = leader.awaitMetrics(m -> m.counter("leaderships won") == 1, WAIT);
            assertTrue(metrics.counter("elections started") >= 1, metrics::toString);
            final Path file = RaftCounters.mappedFileFor(dir, id);
            // the same view another process maps
            try (RaftCounters.View view = RaftCounters.openMappedFile(file)) {
                assertEquals(1, view.valueOf(2001 + 2), "leaderships won, read through CountersReader");
            }
            // and another process, while the node runs
            final String output = runRaftStat(file);
            assertTrue(output.contains(" 1 raft node " + id + ": leaderships won"), output);
            assertTrue(output.contains("raft node " + id + ": elections started"), output);
        } finally {
            nodes.forEach(RaftNode::close);
        }
        assertTrue(Files.notExists(RaftCounters.mappedFileFor(dir, 1)), "a closed node removes its counters file");
    }

    private static String runRaftStat(Path file) throws IOException, InterruptedException {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final List<String> command = new ArrayList<>(List.of(java, "--add-exports",
            "java.base/jdk.internal.misc=org.agrona"));
        final String modulePath = System.getProperty("jdk.module.path");
        if (modulePath != null && !modulePath.isEmpty()) {
            command.addAll(List.of("-p", modulePath, "-m", "dev.raft.core/dev.raft.core.RaftStat"));
        } else {
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.raft.core.RaftStat"));
        }
        command.add(file.toString());
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError("RaftStat did not finish within 60 s");
            }
            final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), out);
            return out;
        } finally {
            p.destroyForcibly();
        }
    }
}
