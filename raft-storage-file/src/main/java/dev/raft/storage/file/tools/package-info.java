/**
 * Offline tools over a file store's data directory, for operators: verify every segment as recovery would,
 * dump entries, and truncate the log's suffix to repair a corrupt record. They read the files directly; the
 * truncation takes the store's directory lock, so it refuses to run beside a node that has the directory open.
 */
package dev.raft.storage.file.tools;
