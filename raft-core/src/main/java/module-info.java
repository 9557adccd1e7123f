/** The Raft engine, its single-threaded runtime and the Guice module that wires a node. */
module dev.raft.core {
    requires transitive dev.raft.api;
    requires transitive com.google.guice;
    requires jakarta.inject;
    requires com.google.common;
    requires org.slf4j;

    exports dev.raft.core;
    exports dev.raft.core.session;
}
