/** The Aeron UDP transport with SBE-encoded messages. */
module dev.raft.transport.aeron {
    requires transitive dev.raft.api;
    requires transitive io.aeron.client;
    requires transitive io.aeron.driver;
    requires transitive com.google.guice;
    requires jakarta.inject;
    requires com.google.common;
    requires org.slf4j;

    exports dev.raft.transport.aeron;
    exports dev.raft.transport.aeron.auth;
}
