package dev.raft.examples.kv;

import dev.raft.api.NodeId;
import dev.raft.api.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a {@link KvClient} knows about the cluster, built only from the answers it receives (to commands and to
 * status probes): each node's endpoint, last answer and outstanding probe, and the leader claimed in the highest
 * term seen. Thread-safe (every method under the instance's lock; each is a few field updates).
 */
final class ClusterView {
    /** A node believed to lead. */
    record Target(int id, String endpoint, long term) {
    }

    private static final class Node {
        final int id;
        String endpoint;
        long lastAnswerNanos;
        long unansweredProbeNanos;
        boolean unreachable;
        /** The correlation id of the latest probe sent to this node's endpoint. */
        long lastProbeId;
        KvClient.Response last;

        Node(int id, String endpoint) {
            this.id = id;
            this.endpoint = endpoint;
        }
    }

    private final Map<Integer, Node> nodes = new TreeMap<>();
    private final long suspectNanos;
    private final long quietNanos;
    private long bestTerm = -1;
    private int bestLeader = NodeId.NONE;
    private long version;
    /** Set when a node answered a probe sent to another node's endpoint: the cluster list is wrong. */
    private String misnamed;

    /**
     * @param clientEndpoints every configured node's client endpoint, by id
     * @param suspectNanos    a node with a probe unanswered for this long is not sent new commands
     * @param quietNanos      a deposed leader silent for this long is taken as gone (about two probe intervals)
     */
    ClusterView(Map<Integer, String> clientEndpoints, long suspectNanos, long quietNanos) {
        clientEndpoints.forEach((id, endpoint) -> nodes.put(id, new Node(id, endpoint)));
        this.suspectNanos = suspectNanos;
        this.quietNanos = quietNanos;
    }

    /** Records a node's answer (to a command or a probe) and the leader it names. */
    synchronized void onResponse(KvClient.Response r, long now) {
        for (Node probed : nodes.values()) {
            if (probed.lastProbeId != 0 && probed.lastProbeId == r.correlationId() && probed.endpoint != null
                && probed.id != r.nodeId() && misnamed == null) {
                misnamed = "node " + r.nodeId() + " answers where it places node " + probed.id + " (client endpoint "
                    + probed.endpoint + ")";
            }
        }
        final Node node = nodes.computeIfAbsent(r.nodeId(), id -> new Node(id, null));
        node.lastAnswerNanos = now;
        node.unansweredProbeNanos = 0;
        node.unreachable = false;
        node.last = r;
        final int claimed = r.role() == Role.LEADER ? r.nodeId() : r.leaderId();
        if (claimed != NodeId.NONE && claimed != r.nodeId() && !r.leaderEndpoint().isEmpty()) {
            final Node leader = nodes.computeIfAbsent(claimed, id -> new Node(id, null));
            if (leader.endpoint == null) {
                leader.endpoint = r.leaderEndpoint(); // a leader missing from --cluster: learned from its followers
            }
        }
        if (r.term() > bestTerm) {
            bestTerm = r.term();
            bestLeader = claimed;
        } else if (r.term() == bestTerm) {
            if (bestLeader == NodeId.NONE) {
                bestLeader = claimed;
            } else if (bestLeader == r.nodeId() && r.role() != Role.LEADER) {
                bestLeader = claimed; // it stepped down within its term
            }
        }
        version++;
    }

    /**
     * Records probe {@code probeId} sent to {@code id}: the node becomes suspect if no answer arrives within the
     * suspect time, and an answer from another node shows the cluster list wrong ({@link #misnamed}).
     */
    synchronized void onProbeSent(int id, long probeId, long now) {
        final Node node = nodes.get(id);
        if (node != null) {
            node.lastProbeId = probeId;
            if (node.unansweredProbeNanos == 0) {
                node.unansweredProbeNanos = now;
            }
        }
    }

    /**
     * What is wrong with the cluster list if a node answered at an endpoint the list gives to another id (for
     * example {@code 2=host:port} where node 1 runs), else null: the client cannot know where that node really is.
     */
    synchronized String misnamed() {
        return misnamed;
    }

    /** Records that a request could not even be sent to {@code id} (its channel never connected). */
    synchronized void onUnreachable(int id) {
        final Node node = nodes.get(id);
        if (node != null) {
            node.unreachable = true;
            version++;
        }
    }

    /** The leader to send a new command to: the one claimed in the highest term, unless it is suspect. */
    synchronized Target leader(long now) {
        if (bestLeader == NodeId.NONE) {
            return null;
        }
        final Node node = nodes.get(bestLeader);
        if (node == null || node.endpoint == null || suspect(node, now)) {
            return null;
        }
        return new Target(node.id, node.endpoint, bestTerm);
    }

    /** Node {@code id} as a target (for a read it serves itself), or null if its endpoint is unknown. */
    synchronized Target node(int id) {
        final Node node = nodes.get(id);
        return node == null || node.endpoint == null ? null : new Target(node.id, node.endpoint, bestTerm);
    }

    /** The leader claimed in the highest term, suspect or not, or null. */
    synchronized Target claimedLeader() {
        final Node node = bestLeader == NodeId.NONE ? null : nodes.get(bestLeader);
        return node == null || node.endpoint == null ? null : new Target(node.id, node.endpoint, bestTerm);
    }

    /**
     * Whether a command sent to {@code target} will likely never be answered: it has not answered a probe within the
     * suspect time, or a higher term or another leader has been seen since and it has been quiet meanwhile.
     */
    synchronized boolean gone(Target target, long now) {
        final Node node = nodes.get(target.id());
        if (node == null || suspect(node, now)) {
            return true;
        }
        // deposed: if it still answers probes it will answer the command too (OK, or ERROR once it steps down)
        return (bestTerm > target.term() || bestLeader != target.id()) && now - node.lastAnswerNanos > quietNanos;
    }

    private boolean suspect(Node node, long now) {
        return node.unreachable || (node.unansweredProbeNanos != 0 && now - node.unansweredProbeNanos > suspectNanos);
    }

    /** Every node with a known endpoint: (id, endpoint). */
    synchronized List<Map.Entry<Integer, String>> endpoints() {
        final List<Map.Entry<Integer, String>> all = new ArrayList<>();
        nodes.values().forEach(n -> {
            if (n.endpoint != null) {
                all.add(Map.entry(n.id, n.endpoint));
            }
        });
        return all;
    }

    /** Increases with every answer and every unreachable node: waiters re-evaluate when it moves. */
    synchronized long version() {
        return version;
    }

    /** One line per node: what it last said, or that it did not answer (for FAILED and UNKNOWN messages). */
    synchronized String summary() {
        final StringBuilder text = new StringBuilder();
        for (Node n : nodes.values()) {
            if (text.length() > 0) {
                text.append("; ");
            }
            text.append("node ").append(n.id).append(": ");
            if (n.last == null) {
                text.append(n.unreachable ? "unreachable" : "no answer");
            } else {
                final KvClient.Response r = n.last;
                text.append(r.role()).append(" in term ").append(r.term()).append(", ")
                    .append(r.leaderId() == NodeId.NONE ? "no leader known" : "leader " + r.leaderId());
                if (n.unreachable || (n.unansweredProbeNanos != 0)) {
                    text.append(", since silent");
                }
            }
        }
        return text.toString();
    }
}
