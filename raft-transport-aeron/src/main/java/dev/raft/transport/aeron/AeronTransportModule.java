package dev.raft.transport.aeron;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.raft.api.transport.Transport;
import dev.raft.transport.aeron.internal.channel.AeronTransport;

/**
 * Binds {@link Transport} to the Aeron UDP transport configured by an {@link AeronTransportConfig}
 * (and binds that config). The transport starts (embedded driver, client, subscription) when first
 * provided; whoever owns the node closes it.
 */
public final class AeronTransportModule extends AbstractModule {
    private final AeronTransportConfig config;

    /** A module for one node's transport. */
    public AeronTransportModule(AeronTransportConfig config) {
        this.config = java.util.Objects.requireNonNull(config, "AeronTransportModule: config");
    }

    @Override
    protected void configure() {
        bind(AeronTransportConfig.class).toInstance(config);
    }

    /**
     * The node's transport: one per injector, started here (embedded driver, client, subscription).
     *
     * @param transportConfig the bound configuration
     * @return the started transport
     */
    @Provides
    @Singleton
    public Transport transport(AeronTransportConfig transportConfig) {
        return new AeronTransport(transportConfig);
    }
}
