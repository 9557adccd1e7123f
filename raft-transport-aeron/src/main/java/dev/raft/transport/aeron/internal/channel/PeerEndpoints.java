package dev.raft.transport.aeron.internal.channel;

import dev.raft.api.Membership;
import dev.raft.transport.aeron.AeronTransportConfig;
import java.util.Map;
import java.util.TreeMap;
import org.agrona.collections.IntHashSet;

/**
 * Whom a node talks to under a membership: a route to every other member, at the endpoint the membership carries
 * (members added at run time) or else the one of {@link AeronTransportConfig#endpoints()} (the initial members),
 * and the senders whose frames it accepts.
 *
 * <p>A voter accepts frames from members only, so a removed node cannot disturb it. A node that is not a voter
 * of its membership — a learner, or a node started to join a cluster that has not added it yet — also accepts
 * and routes to the nodes of its configuration: the leader that is adding it may not be in the membership it
 * knows yet (its log is empty), and the engine accepts AppendEntries and InstallSnapshot from such a sender
 * (votes only from members). Either way the senders are bounded by the membership and the configuration.
 *
 * @param routes  the endpoint of each peer to open a publication to, by id (never the local node)
 * @param senders the ids whose frames are accepted (never the local node)
 * @param missing members without any known endpoint (no route; their frames are still accepted)
 */
record PeerEndpoints(Map<Integer, String> routes, IntHashSet senders, IntHashSet missing) {
    static PeerEndpoints of(AeronTransportConfig config, Membership membership) {
        final int localId = config.nodeId();
        final Map<Integer, String> routes = new TreeMap<>();
        final IntHashSet senders = new IntHashSet();
        final IntHashSet missing = new IntHashSet();
        for (int i = 0; i < membership.size(); i++) {
            final int id = membership.nodeAt(i);
            if (id == localId) {
                continue;
            }
            senders.add(id);
            final String endpoint = membership.endpoint(id) != null ? membership.endpoint(id) : config.endpoint(id);
            if (endpoint == null) {
                missing.add(id);
            } else {
                routes.put(id, endpoint);
            }
        }
        if (!membership.isVoter(localId)) {
            config.endpoints().forEach((id, endpoint) -> {
                if (id != localId && senders.add(id)) {
                    routes.put(id, endpoint);
                }
            });
        }
        return new PeerEndpoints(routes, senders, missing);
    }
}
