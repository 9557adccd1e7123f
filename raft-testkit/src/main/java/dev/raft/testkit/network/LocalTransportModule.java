package dev.raft.testkit.network;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.raft.api.transport.Transport;

/** Binds {@link Transport} to node {@code nodeId}'s end of a {@link LocalNetwork}, opened once per injector. */
public final class LocalTransportModule extends AbstractModule {
    private final LocalNetwork network;
    private final int nodeId;

    /**
     * @param network the network the node joins
     * @param nodeId  the node's id
     */
    public LocalTransportModule(LocalNetwork network, int nodeId) {
        if (network == null) {
            throw new IllegalArgumentException("LocalTransportModule: network must not be null");
        }
        this.network = network;
        this.nodeId = nodeId;
    }

    /**
     * The node's transport.
     *
     * @return a transport registered on the network
     */
    @Provides
    @Singleton
    public Transport transport() {
        return network.register(nodeId);
    }
}
