/**
 * The public entry points of the file storage: {@link dev.raft.storage.file.FileStorageModule} (Guice),
 * {@link dev.raft.storage.file.FileStores} (without Guice) and {@link dev.raft.storage.file.FileStorageConfig}.
 */
package dev.raft.storage.file;
