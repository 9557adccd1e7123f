/** A replicated key-value store on the framework and its command-line tool. */
module dev.raft.examples {
    requires jdk.jfr;
    requires jdk.management;
    requires transitive dev.raft.api;
    requires dev.raft.core;
    requires transitive dev.raft.storage.file;
    requires dev.raft.transport.aeron;
    requires com.google.guice;
    requires jakarta.inject;
    requires com.google.common;
    requires info.picocli;
    requires org.slf4j;
    requires org.agrona;
    requires io.aeron.client;
    requires io.aeron.driver;
    requires HdrHistogram;

    exports dev.raft.examples;
    exports dev.raft.examples.kv;
    opens dev.raft.examples to info.picocli;
}
