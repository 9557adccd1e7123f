package dev.raft.examples.bench;

import dev.raft.api.RaftNode;
import dev.raft.api.error.NotLeaderException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * Proposes each message straight to the leader's {@link RaftNode} in this process, skipping the client hop: the
 * engine-level figure ({@code --client in-process}). Completions arrive on the nodes' threads and reach the
 * load generator through a many-to-one ring buffer; the term reported with an echo is the target's, read every
 * few milliseconds.
 */
final class InProcessRequestChannel implements RequestChannel {
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final int ECHO = 1;
    private static final int REFUSED = 2;
    private static final int MALFORMED = 3;
    private static final int RECORD = 4 * Long.BYTES;
    private static final java.lang.invoke.VarHandle LONGS =
        java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, ORDER);
    private static final long TERM_READ_INTERVAL_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(5);

    private final Map<Integer, RaftNode> nodes;
    private final int[] ids;
    private final int size;
    private final UnsafeBuffer payload;
    private final RingBuffer answers = new ManyToOneRingBuffer(new UnsafeBuffer(
        ByteBuffer.allocateDirect((1 << 23) + RingBufferDescriptor.TRAILER_LENGTH)));
    private final org.agrona.concurrent.MessageHandler handler = this::onAnswer;
    private AnswerListener listener;
    private int target;
    private long term;
    private long termReadNanos;
    private dev.raft.api.ReadPolicy readPolicy;

    InProcessRequestChannel(Map<Integer, RaftNode> nodes, int size, int target) {
        this.nodes = new TreeMap<>(nodes);
        this.ids = this.nodes.keySet().stream().mapToInt(Integer::intValue).toArray();
        this.size = size;
        this.payload = new UnsafeBuffer(new byte[size]);
        if (!this.nodes.containsKey(target)) {
            throw new IllegalArgumentException("bench: node " + target + " is not one of " + this.nodes.keySet());
        }
        this.target = target;
    }

    @Override
    public void readPolicy(dev.raft.api.ReadPolicy policy) {
        readPolicy = policy;
    }

    @Override
    public boolean send(long seq, long stampNanos) {
        payload.putLong(0, stampNanos, ORDER);
        payload.putLong(Long.BYTES, seq, ORDER);
        final RaftNode node = nodes.get(target);
        (readPolicy == null ? node.propose(payload, 0, size) : node.read(readPolicy, payload, 0, size))
            .whenComplete((result, error) -> {
            if (error == null) {
                if (result == null || result.length != size) {
                    publish(MALFORMED, seq, 0, 0, 0);
                } else {
                    // read in place: this runs on the node's thread, which the harness must not burden
                    publish(ECHO, (long) LONGS.get(result, Long.BYTES), (long) LONGS.get(result, 0), 0, 0);
                }
                return;
            }
            final Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof NotLeaderException n) {
                publish(REFUSED, seq, 1, n.term(), n.leaderHint());
            } else {
                publish(REFUSED, seq, 0, 0, 0);
            }
        });
        return true;
    }

    private void publish(int type, long a, long b, long c, long d) {
        int index;
        while ((index = answers.tryClaim(type, RECORD)) < 0) {
            Thread.onSpinWait(); // the load generator drains it; sized for far more than any window
        }
        final UnsafeBuffer buffer = (UnsafeBuffer) answers.buffer();
        buffer.putLong(index, a);
        buffer.putLong(index + 8, b);
        buffer.putLong(index + 16, c);
        buffer.putLong(index + 24, d);
        answers.commit(index);
    }

    @Override
    public int poll(AnswerListener listener) {
        this.listener = listener;
        final long now = System.nanoTime();
        if (now - termReadNanos > TERM_READ_INTERVAL_NANOS) {
            // a metrics snapshot allocates: read the term every few milliseconds, not per answer
            termReadNanos = now;
            term = nodes.get(target).metrics().term();
        }
        return answers.read(handler, 4096);
    }

    private void onAnswer(int type, org.agrona.MutableDirectBuffer buffer, int index, int length) {
        final long a = buffer.getLong(index);
        final long b = buffer.getLong(index + 8);
        final long c = buffer.getLong(index + 16);
        final long d = buffer.getLong(index + 24);
        switch (type) {
            case ECHO -> listener.onEcho(a, b, term);
            case REFUSED -> listener.onRefused(a, b == 1, (int) d, c);
            default -> listener.onMalformed();
        }
    }

    @Override
    public void retarget(int nodeId) {
        if (nodes.containsKey(nodeId)) {
            target = nodeId;
            return;
        }
        int i = 0;
        while (ids[i] != target) {
            i++;
        }
        target = ids[(i + 1) % ids.length];
    }

    @Override
    public int target() {
        return target;
    }

    @Override
    public void close() {
        // the nodes belong to the caller
    }
}
