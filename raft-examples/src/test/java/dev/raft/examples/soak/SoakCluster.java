package dev.raft.examples.soak;

import dev.raft.api.Role;
import dev.raft.examples.ExamplesTestSupport;
import java.io.File;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code raftkv server} JVMs on 127.0.0.1, each on its own data directory under one temporary directory and with
 * fault injection on ({@code --fault-control}): starts, kills (SIGKILL) and restarts them, sends fault rules,
 * asks them for their status. {@link #close()} — also run by a shutdown hook — kills every process, unmounts the
 * tmpfs and deletes the directory, so nothing outlives the test, even a failed or interrupted one.
 */
final class SoakCluster implements AutoCloseable {
    private static final Duration STATUS_TIMEOUT = Duration.ofMillis(250);
    /** The servers' log segment size: the disk-full round writes enough to need new segments. */
    static final int SEGMENT_BYTES = 16 * 1024 * 1024;

    private final Path baseDir;
    private final Map<Integer, String> endpoints;
    private final Map<Integer, Integer> controlPorts = new TreeMap<>();
    private final String peers;
    private final List<String> serverArgs;
    private final Map<Integer, Process> processes = new TreeMap<>();
    private final Map<Integer, Integer> generations = new TreeMap<>();
    private final Thread shutdownHook = new Thread(this::close, "soak-cluster-cleanup");
    private final SoakClient probe;
    private final List<AutoCloseable> closeFirst = new ArrayList<>();
    private List<String> jvmOptions = List.of();
    private TmpfsMount tmpfs;
    private int tmpfsNode;
    private boolean closed;

    /** Chooses ports and a temporary directory for {@code size} nodes; starts nothing. */
    SoakCluster(int size, List<String> serverArgs) throws IOException {
        baseDir = Files.createTempDirectory("raftkv-soak-");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        // the Raft endpoints and the control sockets' ports chosen in one call, so that no two coincide (chosen in two
        // calls, a node's control port once fell on another node's Raft port: "Address already in use")
        final Map<Integer, String> ports = ExamplesTestSupport.freeLoopbackEndpoints(2 * size);
        endpoints = new TreeMap<>();
        ports.forEach((id, hostPort) -> {
            if (id <= size) {
                endpoints.put(id, hostPort);
            } else {
                controlPorts.put(id - size, Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1)));
            }
        });
        peers = endpoints.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
        this.serverArgs = List.copyOf(serverArgs);
        probe = new SoakClient(endpoints);
    }

    Map<Integer, String> endpoints() {
        return endpoints;
    }

    List<Integer> ids() {
        return List.copyOf(endpoints.keySet());
    }

    Path baseDir() {
        return baseDir;
    }

    Path dataDir(int id) {
        return baseDir.resolve("node-" + id);
    }

    /**
     * Puts node {@code id}'s data directory on a tmpfs of {@code bytes} (before its first start).
     *
     * @throws TmpfsMount.CannotMountException with the reason when mounting is impossible
     */
    synchronized void mountTmpfs(int id, long bytes) throws TmpfsMount.CannotMountException {
        tmpfs = TmpfsMount.tryMount(dataDir(id), bytes);
        tmpfsNode = id;
    }

    /** The tmpfs, or null if none is mounted. */
    synchronized TmpfsMount tmpfs() {
        return tmpfs;
    }

    /** The node whose data directory is on the tmpfs (0 if none). */
    synchronized int tmpfsNode() {
        return tmpfs == null ? 0 : tmpfsNode;
    }

    /**
     * Extra JVM options for the nodes started from now on; {@code {log}} in an option becomes the path of
     * {@code jvm-<id>-<generation>.log} in the cluster's directory (copied by {@link #copyLogsTo}).
     */
    synchronized void jvmOptions(List<String> options) {
        jvmOptions = List.copyOf(options);
    }

    /** Starts node {@code id} (again), its output in {@code server-<id>-<generation>.log}. */
    synchronized void start(int id) throws IOException {
        if (isAlive(id)) {
            throw new IllegalStateException("node " + id + " is already running");
        }
        final int generation = generations.merge(id, 1, Integer::sum);
        final List<String> command = new ArrayList<>(List.of(
            ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + File.separator + "bin"
                + File.separator + "java"),
            "--add-exports", "java.base/jdk.internal.misc=org.agrona",
            "-Dguice_bytecode_gen_option=DISABLED", "-Xmx192m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        for (String option : jvmOptions) {
            command.add(option.replace("{log}", baseDir.resolve("jvm-" + id + "-" + generation + ".log").toString()));
        }
        command.addAll(List.of(
            "-p", ExamplesTestSupport.runtimeModulePath(),
            "-m", "dev.raft.examples/dev.raft.examples.RaftKv",
            "server", "--id", Integer.toString(id), "--peers", peers, "--dir", dataDir(id).toString(),
            "--aeron-dir", aeronDir(id, generation).toString(),
            "--fault-control", Integer.toString(controlPorts.get(id)),
            "--segment-size", (SEGMENT_BYTES >> 20) + "MiB"));
        command.addAll(serverArgs);
        processes.put(id, new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log(id, generation).toFile())).start());
    }

    /** Kills node {@code id} with SIGKILL and waits for it to be gone. */
    synchronized void kill(int id) throws InterruptedException {
        final Process p = processes.get(id);
        if (p != null) {
            p.destroyForcibly();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("node " + id + " (pid " + p.pid() + ") did not die within 30 s of SIGKILL");
            }
        }
    }

    synchronized boolean isAlive(int id) {
        final Process p = processes.get(id);
        return p != null && p.isAlive();
    }

    /** The exit code of node {@code id}'s last process, or empty while it runs (or never ran). */
    synchronized Optional<Integer> exitCode(int id) {
        final Process p = processes.get(id);
        return p == null || p.isAlive() ? Optional.empty() : Optional.of(p.exitValue());
    }

    /** The last non-blank line node {@code id}'s current (or last) process printed. */
    synchronized String lastLine(int id) throws IOException {
        final Path log = log(id, generations.getOrDefault(id, 0));
        if (!Files.exists(log)) {
            return "";
        }
        final List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    /** The media driver directory of node {@code id}'s current (or last) process: its transport counters. */
    synchronized Path aeronDir(int id) {
        return aeronDir(id, generations.getOrDefault(id, 0));
    }

    private Path aeronDir(int id, int generation) {
        return baseDir.resolve("aeron-" + id + "-" + generation);
    }

    private Path log(int id, int generation) {
        return baseDir.resolve("server-" + id + "-" + generation + ".log");
    }

    /**
     * Sends one fault request to node {@code id}'s control socket (see {@code dev.raft.examples.fault}) and
     * returns its answer; empty if the node is not running or did not answer (it may just have been killed).
     */
    Optional<String> control(int id, String request) throws IOException {
        if (!isAlive(id)) {
            return Optional.empty();
        }
        final byte[] bytes = request.getBytes(StandardCharsets.US_ASCII);
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            socket.setSoTimeout(500);
            for (int attempt = 0; attempt < 6 && isAlive(id); attempt++) {
                socket.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), controlPorts.get(id)));
                final DatagramPacket reply = new DatagramPacket(new byte[512], 512);
                try {
                    socket.receive(reply);
                } catch (SocketTimeoutException e) {
                    continue; // the JVM may still be starting: its control socket opens with its transport
                }
                final String answer = new String(reply.getData(), 0, reply.getLength(), StandardCharsets.US_ASCII);
                if (!answer.startsWith("ok")) {
                    throw new IllegalStateException("node " + id + " refused fault request '" + request + "': " + answer);
                }
                return Optional.of(answer);
            }
        }
        return Optional.empty();
    }

    /** Node {@code id}'s status, or empty if it is down or did not answer in time. */
    synchronized Optional<SoakClient.NodeStatus> status(int id) {
        return isAlive(id) ? probe.status(id, STATUS_TIMEOUT) : Optional.empty();
    }

    /** The statuses of every running node that answered. */
    Map<Integer, SoakClient.NodeStatus> statuses() {
        final Map<Integer, SoakClient.NodeStatus> all = new TreeMap<>();
        for (int id : ids()) {
            status(id).ifPresent(s -> all.put(id, s));
        }
        return all;
    }

    /** The leader of the highest term among the statuses, if one says it leads. */
    static Optional<SoakClient.NodeStatus> leader(Map<Integer, SoakClient.NodeStatus> statuses) {
        return statuses.values().stream().filter(s -> s.role() == Role.LEADER)
            .max((a, b) -> Long.compare(a.term(), b.term()));
    }

    /** Executes one operation with the cluster's probe client (the rounds' own writes and the final reads). */
    synchronized SoakClient.Result execute(dev.raft.testkit.linearizability.KvInput input, Duration timeout)
        throws InterruptedException {
        return probe.execute(input, timeout);
    }

    /** A table of the statuses, for failure messages. */
    String describe() {
        final StringBuilder s = new StringBuilder();
        for (int id : ids()) {
            s.append("\n  node ").append(id).append(": ");
            final Optional<SoakClient.NodeStatus> st = status(id);
            if (st.isPresent()) {
                s.append(format(st.get()));
            } else {
                s.append(isAlive(id) ? "no answer" : "down (exit " + exitCode(id).map(String::valueOf).orElse("-") + ")");
            }
        }
        return s.toString();
    }

    /** One status as text. */
    static String format(SoakClient.NodeStatus n) {
        return n.role() + " term " + n.term() + " leader " + n.leaderId() + " lastLog " + n.lastLogIndex()
            + " committed " + n.committedIndex() + " applied " + n.appliedIndex();
    }

    /** Closes {@code resource} (the clients) first when this closes, also from the shutdown hook. */
    synchronized void closeFirst(AutoCloseable resource) {
        closeFirst.add(resource);
    }

    /**
     * Closes the clients, kills every process, unmounts the tmpfs, deletes the directory. Idempotent; also the
     * shutdown hook.
     */
    @Override
    public void close() {
        final List<AutoCloseable> resources;
        final List<Process> all;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            resources = new ArrayList<>(closeFirst);
            all = new ArrayList<>(processes.values());
        }
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                System.err.println("soak: closing " + resource + ": " + e);
            }
        }
        for (Process p : all) {
            p.destroyForcibly();
        }
        for (Process p : all) {
            try {
                p.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        probe.close();
        final TmpfsMount mount = tmpfs();
        if (mount != null) {
            mount.close();
        }
        try {
            ExamplesTestSupport.deleteTree(baseDir);
        } catch (IOException e) {
            System.err.println("soak: could not delete " + baseDir + ": " + e.getMessage());
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // running as the hook itself
        }
    }

    /** Copies the server logs of every generation into {@code target} (kept after {@link #close()}). */
    void copyLogsTo(Path target) throws IOException {
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(baseDir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".log")).toList()) {
                Files.copy(f, target.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}
