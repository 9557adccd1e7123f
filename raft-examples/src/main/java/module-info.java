/** A replicated key-value store on the framework and its command-line tool. */
module dev.raft.examples {
    requires jdk.jfr;
    requires jdk.management;
    requires transitive dev.raft.api;
    requires transitive dev.raft.core;
    requires transitive dev.raft.storage.file;
    requires transitive dev.raft.transport.aeron;
    requires com.google.guice;
    requires jakarta.inject;
    requires com.google.common;
    requires info.picocli;
    requires org.slf4j;
    requires org.agrona;
    requires transitive io.aeron.client;
    requires io.aeron.driver;
    requires HdrHistogram;
    requires io.prometheus.metrics.core;
    requires io.prometheus.metrics.model;
    requires io.prometheus.metrics.exporter.httpserver;
    requires jdk.httpserver;

    exports dev.raft.examples;
    exports dev.raft.examples.kv;
    opens dev.raft.examples to info.picocli;
}
