package dev.raft.transport.aeron.internal.channel;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import org.agrona.collections.Int2ObjectHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The addresses each member may send from: the addresses its endpoint's host resolves to, resolved when the
 * membership changes. A frame's source is Aeron's {@code Image.sourceIdentity()}, {@code "<address>:<port>"};
 * it matches when its address part equals one of the claimed sender's addresses. Compared without
 * allocating. A member whose host does not resolve is not checked (logged once per membership change).
 */
final class SourceHosts {
    private static final Logger LOG = LoggerFactory.getLogger(SourceHosts.class);

    private final int localId;
    private final Int2ObjectHashMap<String[]> addresses = new Int2ObjectHashMap<>();

    SourceHosts(int localId) {
        this.localId = localId;
    }

    /** Resolves the hosts of {@code endpoints} (the peers' {@code host:port} by id), forgetting every other. */
    void update(Map<Integer, String> endpoints) {
        addresses.clear();
        endpoints.forEach((id, endpoint) -> {
            final String host = host(endpoint);
            try {
                final InetAddress[] all = InetAddress.getAllByName(host);
                final String[] literal = new String[all.length];
                for (int a = 0; a < all.length; a++) {
                    literal[a] = all[a].getHostAddress();
                }
                addresses.put(id, literal);
            } catch (UnknownHostException e) {
                LOG.warn("node {}: host '{}' of member {} does not resolve; its frames' source address is not checked",
                    localId, host, id);
            }
        });
    }

    /** Whether {@code sourceIdentity} ({@code "<address>:<port>"}) is an address of {@code sender}; true if unknown. */
    boolean matches(int sender, String sourceIdentity) {
        final String[] allowed = addresses.get(sender);
        if (allowed == null || sourceIdentity == null) {
            return true;
        }
        final int colon = sourceIdentity.lastIndexOf(':');
        for (String address : allowed) {
            if (colon == address.length() && sourceIdentity.startsWith(address)) {
                return true;
            }
        }
        return false;
    }

    /** The host of a {@code host:port} endpoint, without the brackets of an IPv6 literal. */
    static String host(String endpoint) {
        final String host = endpoint.substring(0, endpoint.lastIndexOf(':'));
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }
}
