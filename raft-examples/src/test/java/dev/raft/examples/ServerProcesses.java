package dev.raft.examples;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * {@code raftkv server} JVMs on 127.0.0.1 for tests: each a child process on this test's module path with its own
 * data and Aeron directory under one temporary directory, its output in {@code server-N.log} there. Killing is
 * {@code kill -9} ({@link Process#destroyForcibly()}). {@link #close()} kills what is left and removes the directory.
 */
final class ServerProcesses implements AutoCloseable {
    private final Path dir;
    private final Map<Integer, String> endpoints;
    private final String peers;
    private final Map<Integer, Process> servers = new HashMap<>();
    private int generation;

    ServerProcesses(int count) throws IOException {
        dir = Files.createTempDirectory("raftkv-servers-");
        endpoints = Demo.freeLoopbackEndpoints(count);
        peers = endpoints.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
    }

    /** Every node's Raft endpoint by id. */
    Map<Integer, String> endpoints() {
        return endpoints;
    }

    /** The {@code --peers} / {@code --cluster} value. */
    String peers() {
        return peers;
    }

    /** Starts (or restarts on its data directory) server {@code id}. */
    void start(int id) throws IOException {
        final Path log = dir.resolve("server-" + id + ".log");
        final List<String> command = new ArrayList<>(List.of(
            ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + File.separator + "bin"
                + File.separator + "java"),
            "--add-exports", "java.base/jdk.internal.misc=org.agrona",
            "-Dguice_bytecode_gen_option=DISABLED", "-Xmx256m", "-XX:TieredStopAtLevel=1",
            "-p", ServerProcessTest.runtimeModulePath(),
            "-m", "dev.raft.examples/dev.raft.examples.RaftKv",
            "server", "--id", Integer.toString(id), "--peers", peers, "--dir", dir.resolve("node-" + id).toString(),
            "--aeron-dir", dir.resolve("aeron-" + id + "-" + (++generation)).toString()));
        servers.put(id, new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start());
    }

    /** kill -9 of server {@code id}; waits until it is gone. */
    void kill(int id) throws InterruptedException {
        final Process p = servers.remove(id);
        if (p != null) {
            p.destroyForcibly();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("server " + id + " did not exit after kill -9");
            }
        }
    }

    /** Every server's log, for failure messages. */
    String logs() {
        final StringBuilder logs = new StringBuilder();
        for (int id : endpoints.keySet()) {
            final Path log = dir.resolve("server-" + id + ".log");
            try {
                if (Files.exists(log)) {
                    logs.append("--- server ").append(id).append(":\n").append(Files.readString(log));
                }
            } catch (IOException e) {
                logs.append("--- server ").append(id).append(": unreadable log: ").append(e.getMessage());
            }
        }
        return logs.toString();
    }

    @Override
    public void close() throws IOException {
        for (Process p : servers.values()) {
            p.destroyForcibly();
        }
        for (Process p : servers.values()) {
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        servers.clear();
        Demo.deleteTree(dir);
    }
}
