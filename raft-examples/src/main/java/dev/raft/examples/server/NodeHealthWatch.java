package dev.raft.examples.server;

import dev.raft.api.RaftMetrics;
import dev.raft.api.RaftNode;

/**
 * Watches a running node for fail-stop: when its published role becomes {@code FAILED} (the runtime stopped it
 * after a fatal error), records one line naming the node and the cause and calls {@code onFailure} (the server then
 * exits non-zero). A daemon thread polling {@link RaftNode#metrics()} every {@value #POLL_MILLIS} ms.
 */
public final class NodeHealthWatch implements AutoCloseable {
    /** The role name a failed node publishes. */
    public static final String FAILED = "FAILED";

    static final long POLL_MILLIS = 50;

    private final RaftNode node;
    private final Runnable onFailure;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile String failure;

    private NodeHealthWatch(RaftNode node, Runnable onFailure) {
        this.node = node;
        this.onFailure = onFailure;
        this.thread = new Thread(this::run, "raftkv-health-" + node.id());
        this.thread.setDaemon(true);
    }

    /** Starts watching {@code node}. */
    public static NodeHealthWatch start(RaftNode node, Runnable onFailure) {
        final NodeHealthWatch watch = new NodeHealthWatch(node, onFailure);
        watch.thread.start();
        return watch;
    }

    /** The one-line failure, or null while the node is healthy. */
    public String failure() {
        return failure;
    }

    private void run() {
        while (running) {
            final RaftMetrics m = node.metrics();
            if (m.role().name().equals(FAILED)) {
                failure = "node " + m.nodeId() + " failed and stopped (fail-stop) in term " + m.term() + ": "
                    + FailureCause.of(node);
                onFailure.run();
                return;
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
