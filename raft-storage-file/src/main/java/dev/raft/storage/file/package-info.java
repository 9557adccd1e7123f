/** The public entry points of the file storage: {@code FileStorageModule} and its configuration. */
package dev.raft.storage.file;
