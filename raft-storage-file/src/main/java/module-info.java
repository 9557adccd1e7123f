/** File storage: a segmented, checksummed log, the vote file and the snapshot store. */
module dev.raft.storage.file {
    requires transitive dev.raft.api;
    requires transitive com.google.guice;
    requires jakarta.inject;
    requires com.google.common;
    requires org.slf4j;
    requires HdrHistogram;

    exports dev.raft.storage.file;
    exports dev.raft.storage.file.tools;
    opens dev.raft.storage.file to com.google.guice;
}
