package dev.raft.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.examples.kv.KvCommands;
import dev.raft.examples.kv.KvNode;
import dev.raft.storage.file.DurabilityMode;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Each startup error of a real {@code raftkv server} process: exactly one line from raftkv naming what, where and
 * why, no Guice dump or stack trace, and the documented exit code; plus the data tools on a corrupt log.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ServerErrorsTest {
    private Path dir;
    private String peers;
    private Map<Integer, String> endpoints;

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createTempDirectory("raftkv-errors-");
        endpoints = Demo.freeLoopbackEndpoints(3);
        peers = endpoints.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
    }

    @AfterEach
    void tearDown() throws IOException {
        Demo.deleteTree(dir);
    }

    private String[] server(String... extra) {
        return Stream.concat(Stream.of("server", "--id", "1", "--peers", peers, "--dir", dir.resolve("node").toString(),
            "--aeron-dir", dir.resolve("aeron").toString()), Stream.of(extra)).toArray(String[]::new);
    }

    private static void assertOneLine(ServerLauncher.Finished f, int code, String... fragments) {
        assertEquals(code, f.code(), f.output());
        final List<String> lines = f.raftkvLines();
        assertEquals(1, lines.size(), "one raftkv line: " + f.output());
        for (String fragment : fragments) {
            assertTrue(lines.get(0).contains(fragment), "'" + fragment + "' in: " + lines.get(0));
        }
        assertFalse(f.output().contains("Guice") || f.output().contains("\tat ") || f.output().contains("serving")
            || f.output().contains("Exception"), "no dump, trace, class name or 'serving': " + f.output());
    }

    @Test
    void anInvalidSettingInTheConfigFileNamesTheKeyTheFileAndTheRange() throws Exception {
        final Path config = dir.resolve("raftkv.properties");
        Files.writeString(config, "raft.heartbeatIntervalMillis = 500\n");
        final ServerLauncher.Finished f = ServerLauncher.run(dir.resolve("out.log"), 60, server("--config", config.toString()));
        assertOneLine(f, 78, "raft.heartbeatIntervalMillis", "config file " + config, "1..electionTimeoutMinMillis-1");
    }

    @Test
    void anInvalidFlagIsAUsageError() throws Exception {
        final ServerLauncher.Finished f = ServerLauncher.run(dir.resolve("out.log"), 60, server("--heartbeat-ms", "500"));
        assertEquals(2, f.code(), f.output());
        assertTrue(f.output().startsWith("invalid setting raft.heartbeatIntervalMillis (from flag --heartbeat-ms): "
            + "RaftConfig.heartbeatIntervalMillis = 500 is invalid; allowed: 1..electionTimeoutMinMillis-1 (= 149)\nUsage: raftkv server"),
            f.output());
    }

    @Test
    void anUnknownKeyInTheConfigFileIsRefused() throws Exception {
        final Path config = dir.resolve("raftkv.properties");
        Files.writeString(config, "raft.electionTimeoutMinMillis = 300\nraft.electionTimeoutMaxMillis = 600\nraft.heartbeat = 100\n");
        final ServerLauncher.Finished f = ServerLauncher.run(dir.resolve("out.log"), 60, server("--config", config.toString()));
        assertOneLine(f, 78, "unknown setting 'raft.heartbeat'", config.toString());
    }

    @Test
    void aLockedDataDirectoryNamesThePidHoldingIt() throws Exception {
        final Path node = dir.resolve("node");
        Files.createDirectories(node);
        try (FileChannel ch = FileChannel.open(node.resolve("raftkv.pid"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            final FileLock lock = ch.lock();
            ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            final ServerLauncher.Finished f = ServerLauncher.run(dir.resolve("out.log"), 60, server());
            assertOneLine(f, 73, "data directory " + node + " is locked by pid " + ProcessHandle.current().pid());
            lock.release();
        }
    }

    @Test
    void aPortInUseIsNamed() throws Exception {
        final String[] hostPort = endpoints.get(1).split(":");
        try (DatagramSocket taken = new DatagramSocket(Integer.parseInt(hostPort[1]), InetAddress.getByName(hostPort[0]))) {
            final ServerLauncher.Finished f = ServerLauncher.run(dir.resolve("out.log"), 90, server());
            assertOneLine(f, 69, "port " + endpoints.get(1) + " is in use");
            assertTrue(taken.isBound());
        }
    }

    @Test
    void aCorruptRecordNamesFileAndOffsetAndTheToolsRepairIt() throws Exception {
        final Path node = dir.resolve("node");
        final Map<Integer, String> single = Demo.freeLoopbackEndpoints(1);
        final KvNode.Options options = new KvNode.Options(1, 1, single, node, dir.resolve("aeron-1").toString(),
            DurabilityMode.FSYNC, null);
        try (KvNode kv = KvNode.start(options)) {
            kv.raft().awaitMetrics(dev.raft.api.RaftMetrics::isLeader, java.time.Duration.ofSeconds(30));
            for (int i = 0; i < 5; i++) {
                kv.submit(KvCommands.put("k" + i, ("v" + i).getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
            }
        }
        final Path segment;
        try (Stream<Path> files = Files.list(node.resolve("log"))) {
            segment = files.filter(p -> p.getFileName().toString().endsWith(".seg")).findFirst().orElseThrow();
        }
        final int badOffset;   // the second record (the first is the leader's blank entry), followed by valid ones
        try (RandomAccessFile raf = new RandomAccessFile(segment.toFile(), "rw")) {
            raf.seek(32);
            final int firstLength = Integer.reverseBytes(raf.readInt());   // records are little-endian: length first
            badOffset = 32 + 25 + firstLength;
            raf.seek(badOffset + 25);   // the second record's payload
            final int b = raf.read();
            raf.seek(badOffset + 25);
            raf.write(b ^ 0xff);
        }
        final String onePeer = "1=" + single.get(1);
        final ServerLauncher.Finished f = ServerLauncher.run(dir.resolve("out.log"), 90, "server", "--id", "1",
            "--peers", onePeer, "--dir", node.toString(), "--aeron-dir", dir.resolve("aeron-2").toString());
        assertOneLine(f, 65, "corrupt record in " + segment + " at byte " + badOffset, "raftkv log verify --dir " + node);

        final ServerLauncher.Finished verify = ServerLauncher.run(dir.resolve("verify.log"), 60, "log", "verify", "--dir", node.toString());
        assertEquals(65, verify.code(), verify.output());
        assertTrue(verify.output().contains("first bad record: index 2 in " + segment + " at byte " + badOffset), verify.output());

        final ServerLauncher.Finished dryRun = ServerLauncher.run(dir.resolve("dry.log"), 60, "log", "truncate", "--dir",
            node.toString(), "--from-index", "2");
        assertEquals(1, dryRun.code(), dryRun.output());
        assertTrue(dryRun.output().contains("will drop entries [2, 6] (5 entries") && dryRun.output().contains("add --force"), dryRun.output());
        assertEquals(65, ServerLauncher.run(dir.resolve("verify2.log"), 60, "log", "verify", "--dir", node.toString()).code(),
            "a dry run changes nothing");

        final ServerLauncher.Finished forced = ServerLauncher.run(dir.resolve("force.log"), 60, "log", "truncate", "--dir",
            node.toString(), "--from-index", "2", "--force");
        assertEquals(0, forced.code(), forced.output());
        final ServerLauncher.Finished clean = ServerLauncher.run(dir.resolve("verify3.log"), 60, "log", "verify", "--dir", node.toString());
        assertEquals(0, clean.code(), clean.output());
        assertTrue(clean.output().contains("entries [1, 1] readable") && clean.output().contains("verify: OK"), clean.output());
    }

    @Test
    void aFullDiskAtStartIsOneLineBeforeAnythingIsServed() throws Exception {
        final Path mount = mountTmpfs("4m");
        try {
            final Path node = mount.resolve("node");
            final ServerLauncher.Finished f = ServerLauncher.run(dir.resolve("out.log"), 60, "server", "--id", "1",
                "--peers", peers, "--dir", node.toString(), "--aeron-dir", dir.resolve("aeron").toString());
            assertOneLine(f, 74, "no space left for data directory " + node, "2 segments of 4.0 MiB");
        } finally {
            new ProcessBuilder("umount", "-l", mount.toString()).start().waitFor(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void aDiskThatFillsAtRunTimeStopsTheServerWithOneLine() throws Exception {
        final Path mount = mountTmpfs("12m");
        final Path log = dir.resolve("server.log");
        Process server = null;
        try {
            final String single = "1=" + Demo.freeLoopbackEndpoints(1).get(1);
            server = ServerLauncher.start(log, "server", "--id", "1", "--peers", single, "--dir", mount.resolve("node").toString(),
                "--aeron-dir", dir.resolve("aeron").toString());
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (!Files.readString(log).contains("serving")) {
                assertTrue(server.isAlive() && System.nanoTime() < deadline, "the server did not start:\n" + Files.readString(log));
                Thread.sleep(100);
            }
            final String value = "x".repeat(200 * 1024);
            for (int i = 0; server.isAlive(); i++) {
                assertTrue(System.nanoTime() < deadline, "the server did not stop on a full disk:\n" + Files.readString(log));
                RaftKv.commandLine().setOut(new java.io.PrintWriter(java.io.Writer.nullWriter()))
                    .setErr(new java.io.PrintWriter(java.io.Writer.nullWriter()))
                    .execute("client", "--cluster", single, "--timeout-ms", "3000", "put", "k" + i, value);
            }
            assertTrue(server.waitFor(30, TimeUnit.SECONDS));
            final ServerLauncher.Finished f = new ServerLauncher.Finished(server.exitValue(), Files.readString(log));
            assertEquals(74, f.code(), f.output());
            final List<String> lines = f.raftkvLines().stream().filter(l -> !l.contains("serving")).toList();
            assertEquals(1, lines.size(), f.output());
            assertTrue(lines.get(0).startsWith("raftkv server: node 1 failed and stopped (fail-stop): no space left on device: "),
                lines.get(0));
        } finally {
            if (server != null) {
                server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            new ProcessBuilder("umount", "-l", mount.toString()).start().waitFor(20, TimeUnit.SECONDS);
        }
    }

    /** A tmpfs of {@code size} at a new directory, or the test is skipped where it cannot be mounted. */
    private Path mountTmpfs(String size) throws IOException, InterruptedException {
        final Path mount = dir.resolve("small");
        Files.createDirectories(mount);
        final Process m = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", mount.toString())
            .redirectErrorStream(true).start();
        final boolean mounted = m.waitFor(20, TimeUnit.SECONDS) && m.exitValue() == 0;
        Assumptions.assumeTrue(mounted, "cannot mount a " + size + " tmpfs here (needs root): "
            + new String(m.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        return mount;
    }
}
