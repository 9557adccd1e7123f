package dev.raft.core.internal.runtime;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Closes a node's resources, logging (not throwing) what fails. */
final class Closing {
    private static final Logger LOG = LoggerFactory.getLogger(Closing.class);

    private Closing() {
    }

    static void quietly(int nodeId, AutoCloseable resource, String what) {
        try {
            resource.close();
        } catch (Exception e) {
            LOG.warn("node {}: closing the {} failed", nodeId, what, e);
        }
    }
}
