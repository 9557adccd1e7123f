/**
 * The contracts of the Raft framework: value types, messages, the storage, state machine and
 * transport SPIs, configuration, errors and metrics. Free of Aeron, SBE and Guice.
 */
module dev.raft.api {
    requires transitive org.agrona;

    exports dev.raft.api;
    exports dev.raft.api.config;
    exports dev.raft.api.error;
    exports dev.raft.api.message;
    exports dev.raft.api.service;
    exports dev.raft.api.statemachine;
    exports dev.raft.api.storage;
    exports dev.raft.api.transport;
}
