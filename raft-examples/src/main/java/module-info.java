/** A replicated key-value store on the framework and its command-line tool. */
module dev.raft.examples {
    requires dev.raft.api;
    requires dev.raft.core;
    requires dev.raft.storage.file;
    requires dev.raft.transport.aeron;
    requires com.google.guice;
    requires jakarta.inject;
    requires com.google.common;
    requires info.picocli;
    requires org.slf4j;

    exports dev.raft.examples;
    opens dev.raft.examples to info.picocli;
}
