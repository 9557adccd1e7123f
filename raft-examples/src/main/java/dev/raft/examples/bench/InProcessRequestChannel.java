package dev.raft.examples.bench;

import dev.raft.api.RaftNode;
import dev.raft.api.ReadPolicy;
import dev.raft.api.error.NotLeaderException;
import dev.raft.api.service.NodeContext;
import dev.raft.api.service.NodeService;
import dev.raft.api.service.OutcomeListener;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * Proposes and reads inside the cluster's own JVM, skipping the client hop: the engine-level figure ({@code --client
 * in-process}). It goes the way the KV server's client service does: a {@link NodeService} attached to every node
 * takes the load generator's messages from a ring buffer on the node's thread and hands them to the node through
 * its {@link NodeContext} (no queue hop inside the node, no future per message); the outcomes reach the load
 * generator through a many-to-one ring buffer.
 */
final class InProcessRequestChannel implements RequestChannel {
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final int ECHO = 1;
    private static final int REFUSED = 2;
    private static final int MALFORMED = 3;
    private static final int RECORD = 4 * Long.BYTES;
    /** Request types: a command through the log, or a read with the policy of that ordinal + 1. */
    private static final int COMMAND = 1;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ORDER);
    private static final int RING_BYTES = 1 << 23;
    private static final long ATTACH_TIMEOUT_SECONDS = 10;

    private final Map<Integer, Channel> channels = new TreeMap<>();
    private final int[] ids;
    private final int size;
    private final UnsafeBuffer payload;
    private final RingBuffer answers = new ManyToOneRingBuffer(ring());
    private final MessageHandler handler = this::onAnswer;
    private AnswerListener listener;
    private int target;
    private int requestType = COMMAND;

    InProcessRequestChannel(Map<Integer, RaftNode> nodes, int size, int target) {
        if (!nodes.containsKey(target)) {
            throw new IllegalArgumentException("bench: node " + target + " is not one of " + new TreeMap<>(nodes).keySet());
        }
        this.size = size;
        this.payload = new UnsafeBuffer(ByteBuffer.allocateDirect(Math.max(size, 2 * Long.BYTES)));
        this.target = target;
        final List<Channel> attached = new ArrayList<>();
        try {
            for (Map.Entry<Integer, RaftNode> e : new TreeMap<>(nodes).entrySet()) {
                final Channel channel = new Channel(e.getValue(), answers, size);
                e.getValue().attach(channel).get(ATTACH_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                attached.add(channel);
                channels.put(e.getKey(), channel);
            }
        } catch (Exception e) {
            attached.forEach(Channel::detach);
            throw new IllegalStateException("bench: cannot attach the in-process channel to the nodes: " + e, e);
        }
        this.ids = channels.keySet().stream().mapToInt(Integer::intValue).toArray();
    }

    private static UnsafeBuffer ring() {
        return new UnsafeBuffer(ByteBuffer.allocateDirect(RING_BYTES + RingBufferDescriptor.TRAILER_LENGTH));
    }

    @Override
    public void readPolicy(ReadPolicy policy) {
        requestType = policy == null ? COMMAND : COMMAND + 1 + policy.ordinal();
    }

    @Override
    public boolean send(long seq, long stampNanos) {
        payload.putLong(0, stampNanos, ORDER);
        payload.putLong(Long.BYTES, seq, ORDER);
        return channels.get(target).requests.write(requestType, payload, 0, size);
    }

    @Override
    public int poll(AnswerListener listener) {
        this.listener = listener;
        return answers.read(handler, 4096);
    }

    private void onAnswer(int type, MutableDirectBuffer buffer, int index, int length) {
        final long a = buffer.getLong(index);
        final long b = buffer.getLong(index + 8);
        final long c = buffer.getLong(index + 16);
        final long d = buffer.getLong(index + 24);
        switch (type) {
            case ECHO -> listener.onEcho(a, b, c);
            case REFUSED -> listener.onRefused(a, b == 1, (int) d, c);
            default -> listener.onMalformed();
        }
    }

    @Override
    public void retarget(int nodeId) {
        if (channels.containsKey(nodeId)) {
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
        channels.values().forEach(Channel::detach);
    }

    /** One node's side: a service on its thread that proposes or reads each message and publishes the outcome. */
    private static final class Channel implements NodeService, OutcomeListener {
        private static final ReadPolicy[] POLICIES = ReadPolicy.values();
        private final RaftNode node;
        private final RingBuffer answers;
        final RingBuffer requests = new OneToOneRingBuffer(ring());
        private final MessageHandler onRequest = this::onRequest;
        private final int size;
        private NodeContext context;

        Channel(RaftNode node, RingBuffer answers, int size) {
            this.node = node;
            this.answers = answers;
            this.size = size;
        }

        @Override
        public String serviceName() {
            return "bench-in-process";
        }

        @Override
        public void onAttach(NodeContext nodeContext) {
            context = nodeContext;
        }

        @Override
        public int doWork(long nowNanos) {
            return requests.read(onRequest);
        }

        private void onRequest(int type, MutableDirectBuffer buffer, int index, int length) {
            final long seq = buffer.getLong(index + Long.BYTES, ORDER);
            final long result = type == COMMAND
                ? context.propose(buffer, index, length, this, seq)
                : context.read(POLICIES[type - COMMAND - 1], buffer, index, length, this, seq);
            if (result < 0) {
                publish(REFUSED, seq, result == NodeContext.NOT_LEADER ? 1 : 0, context.term(), context.leaderId());
            }
        }

        @Override
        public void onResult(long correlation, byte[] result) {
            if (result == null || result.length != size || (long) LONGS.get(result, Long.BYTES) != correlation) {
                publish(MALFORMED, correlation, 0, 0, 0);
            } else {
                publish(ECHO, correlation, (long) LONGS.get(result, 0), context.term(), 0);
            }
        }

        /** A proposal's echo, checked in the node's buffer (no array per command). */
        @Override
        public void onResult(long correlation, DirectBuffer result, int offset, int length) {
            if (length != size || result.getLong(offset + Long.BYTES, ORDER) != correlation) {
                publish(MALFORMED, correlation, 0, 0, 0);
            } else {
                publish(ECHO, correlation, result.getLong(offset, ORDER), context.term(), 0);
            }
        }

        @Override
        public void onError(long correlation, RuntimeException error) {
            if (error instanceof NotLeaderException n) {
                publish(REFUSED, correlation, 1, n.term(), n.leaderHint());
            } else {
                publish(REFUSED, correlation, 0, context.term(), 0);
            }
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

        void detach() {
            try {
                node.detach(this).get(ATTACH_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (Exception e) {
                // a closed or failed node has dropped its services already
            }
        }
    }
}
