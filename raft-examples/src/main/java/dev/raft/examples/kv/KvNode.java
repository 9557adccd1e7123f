package dev.raft.examples.kv;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Scopes;
import com.google.inject.multibindings.OptionalBinder;
import com.google.inject.util.Modules;
import dev.raft.api.Membership;
import dev.raft.api.RaftMetrics;
import dev.raft.api.RaftNode;
import dev.raft.api.config.RaftConfig;
import dev.raft.api.statemachine.StateMachine;
import dev.raft.api.storage.LogStore;
import dev.raft.api.storage.SnapshotStore;
import dev.raft.api.transport.Transport;
import dev.raft.core.RaftCounters;
import dev.raft.core.RaftModule;
import dev.raft.core.session.SessionCommand;
import dev.raft.core.session.SessionResponse;
import dev.raft.core.session.SessionStateMachine;
import dev.raft.storage.file.DurabilityMode;
import dev.raft.storage.file.FileStorageConfig;
import dev.raft.storage.file.FileStorageModule;
import dev.raft.storage.file.StorageStats;
import dev.raft.transport.aeron.AeronTransportConfig;
import dev.raft.transport.aeron.AeronTransportModule;
import dev.raft.transport.aeron.AeronTransports;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * One node of the replicated key-value store: a {@link RaftNode} wired with Guice from {@link RaftModule},
 * {@link FileStorageModule} and {@link AeronTransportModule}, applying commands to a {@link KvStateMachine} wrapped
 * in exactly-once client sessions ({@link SessionStateMachine}): every log entry is a
 * {@link SessionCommand} envelope, which {@link ClientService} builds from each request's session fields.
 *
 * <p>The data directory carries an identity file ({@value #IDENTITY_FILE}: cluster id, node id, the members it
 * was created with), written on first start; opening a directory of another cluster or node is refused, so a
 * node never joins a cluster with someone else's log. (The members may differ: the membership changes at run time.)
 */
public final class KvNode implements AutoCloseable {
    /** The identity file in every data directory. */
    public static final String IDENTITY_FILE = "raftkv.identity";

    private final Options options;
    private final StateMachine stateMachine;
    private final RaftNode raft;
    private final StorageStats storageStats;
    private final String aeronDirectory;
    private final DirectoryLock lock;

    /**
     * Everything a node needs.
     *
     * @param clusterId    stamped on every frame and kept in the identity file; {@code >= 0}
     * @param nodeId       this node; a key of {@code endpoints}
     * @param endpoints    every member's Raft endpoint {@code host:port}, by node id
     * @param dataDir      the data directory (log, snapshots, identity file)
     * @param aeronDir     the embedded media driver's directory, or null for the transport's default
     * @param durability   whether appends are forced to disk before they count
     * @param raftSettings extra Raft settings applied to the builder after node id and membership
     * @param storageSettings extra storage settings applied after {@code durability} and 16 MiB segments
     * @param transportSettings extra transport settings applied after cluster id, node id, endpoints and
     *                          {@code aeronDir}
     */
    public record Options(int clusterId, int nodeId, Map<Integer, String> endpoints, Path dataDir, String aeronDir,
                          DurabilityMode durability, UnaryOperator<RaftConfig.Builder> raftSettings,
                          UnaryOperator<FileStorageConfig.Builder> storageSettings,
                          UnaryOperator<AeronTransportConfig.Builder> transportSettings) {
        /** Copies the endpoints (sorted by id); checks nothing else, the configs validate on open. */
        public Options {
            endpoints = new TreeMap<>(Objects.requireNonNull(endpoints, "KvNode.Options.endpoints"));
            Objects.requireNonNull(dataDir, "KvNode.Options.dataDir");
            Objects.requireNonNull(durability, "KvNode.Options.durability");
            raftSettings = raftSettings == null ? b -> b : raftSettings;
            storageSettings = storageSettings == null ? b -> b : storageSettings;
            transportSettings = transportSettings == null ? b -> b : transportSettings;
        }

        /** Options with default storage and transport settings beyond durability and the Aeron directory. */
        public Options(int clusterId, int nodeId, Map<Integer, String> endpoints, Path dataDir, String aeronDir,
                       DurabilityMode durability, UnaryOperator<RaftConfig.Builder> raftSettings) {
            this(clusterId, nodeId, endpoints, dataDir, aeronDir, durability, raftSettings, null, null);
        }

        /** Options with the default Raft settings and the transport's default Aeron directory. */
        public static Options of(int clusterId, int nodeId, Map<Integer, String> endpoints, Path dataDir,
                                 DurabilityMode durability) {
            return new Options(clusterId, nodeId, endpoints, dataDir, null, durability, null);
        }
    }

    private KvNode(Options options, DirectoryLock lock, StateMachine stateMachine,
                   UnaryOperator<Transport> transportWrapper) {
        this.options = options;
        this.lock = lock;
        this.stateMachine = Objects.requireNonNull(stateMachine, "KvNode.stateMachine");
        final int[] members = options.endpoints().keySet().stream().mapToInt(Integer::intValue).toArray();
        final RaftConfig config = options.raftSettings().apply(RaftConfig.builder()
            .nodeId(options.nodeId())
            .initialMembership(Membership.of(new int[][] {members}, new int[0], options.endpoints()))).build();
        final AeronTransportConfig transport = options.transportSettings().apply(AeronTransportConfig.builder()
            .clusterId(options.clusterId())
            .nodeId(options.nodeId())
            .endpoints(options.endpoints())
            .aeronDirectory(options.aeronDir()))
            .build();
        aeronDirectory = transport.aeronDirectory();
        final FileStorageConfig storage = options.storageSettings().apply(FileStorageConfig.builder()
            .durabilityMode(options.durability())
            .segmentSizeBytes(16 * 1024 * 1024))
            .build();
        // the Aeron transport itself, under any decorator: the engine's counters are added through its Aeron client
        final AtomicReference<Transport> aeronTransport = new AtomicReference<>();
        final Injector injector = Guice.createInjector(
            new RaftModule(config),
            new FileStorageModule(options.dataDir(), storage),
            Modules.override(new AeronTransportModule(transport)).with(binder -> binder.bind(Transport.class).toProvider(
                (com.google.inject.Provider<Transport>) () -> {
                    final Transport started = new AeronTransportModule(transport).transport(transport);
                    aeronTransport.set(started);
                    return transportWrapper.apply(started);
                }).in(Scopes.SINGLETON)),
            binder -> {
                binder.bind(StateMachine.class).toInstance(stateMachine);
                // the engine's counters in the media driver's CnC file, beside the transport's (raftkv stat --aeron-dir)
                final com.google.inject.Provider<Transport> transports = binder.getProvider(Transport.class);
                OptionalBinder.newOptionalBinder(binder, RaftCounters.class).setBinding()
                    .toProvider((com.google.inject.Provider<RaftCounters>) () -> {
                        transports.get(); // started first (a singleton): its Aeron client holds the counters
                        return new DriverCounters(AeronTransports.aeronOf(aeronTransport.get()));
                    });
            });
        // the parts are singletons: provision them one by one, so that a part that fails to start does not leave
        // the ones before it open (their locks and threads) — the node owns and closes them once it exists
        final List<AutoCloseable> parts = new ArrayList<>();
        try {
            parts.add(injector.getInstance(LogStore.class));
            parts.add(injector.getInstance(SnapshotStore.class));
            parts.add(injector.getInstance(Transport.class));
            raft = injector.getInstance(RaftNode.class);
            storageStats = injector.getInstance(StorageStats.class);
        } catch (RuntimeException e) {
            for (int i = parts.size() - 1; i >= 0; i--) {
                try {
                    parts.get(i).close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /**
     * Checks (or writes) the identity file, wires the node and starts it.
     *
     * @throws IllegalStateException naming both identities if the directory belongs to another cluster or node
     * @throws dev.raft.api.error.InvalidConfigException if a setting is out of range
     */
    public static KvNode start(Options options) {
        return start(options, new SessionStateMachine(new KvStateMachine()), UnaryOperator.identity());
    }

    /**
     * Like {@link #start(Options)}, with another state machine than the key-value map (the benchmark's echo):
     * {@link #stateMachine()} is then unavailable, and commands are proposed as they come, in no session envelope,
     * unless {@code stateMachine} is a {@link SessionStateMachine}.
     */
    public static KvNode start(Options options, StateMachine stateMachine) {
        return start(options, stateMachine, UnaryOperator.identity());
    }

    /** {@link #start(Options)} with the node's transport wrapped by {@code transportWrapper} (fault injection). */
    public static KvNode start(Options options, UnaryOperator<Transport> transportWrapper) {
        return start(options, new SessionStateMachine(new KvStateMachine()), transportWrapper);
    }

    private static KvNode start(Options options, StateMachine stateMachine, UnaryOperator<Transport> transportWrapper) {
        final DirectoryLock lock = DirectoryLock.acquire(options.dataDir());
        final KvNode node;
        try {
            claimDirectory(options);
            node = new KvNode(options, lock, stateMachine, transportWrapper);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
        try {
            node.raft.start();
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
        return node;
    }

    /**
     * Makes sure {@code options.dataDir()} is this node's: creates it with an identity file if it is new or
     * empty, otherwise compares the identity file with the options.
     */
    static void claimDirectory(Options options) {
        final Path dir = options.dataDir();
        final Path file = dir.resolve(IDENTITY_FILE);
        final Properties wanted = identity(options);
        try {
            Files.createDirectories(dir);
            if (Files.exists(file)) {
                final Properties found = new Properties();
                try (Reader in = Files.newBufferedReader(file)) {
                    found.load(in);
                }
                // the members it was created with are history once the membership changed: only who it is counts
                if (!sameNode(found, wanted)) {
                    throw new DataDirectoryException("data directory " + dir + " belongs to " + describe(found)
                        + "; refusing to start it as " + describe(wanted)
                        + " (use an empty directory, or the node id and cluster id it was created with)", null);
                }
                return;
            }
            try (var entries = Files.list(dir)) {
                if (entries.anyMatch(p -> !p.getFileName().toString().equals(DirectoryLock.FILE))) {
                    throw new DataDirectoryException("data directory " + dir + " is not empty and has no " + IDENTITY_FILE
                        + "; refusing to start " + describe(wanted) + " in a directory raftkv did not create", null);
                }
            }
            final Path tmp = dir.resolve(IDENTITY_FILE + ".tmp");
            try (Writer out = Files.newBufferedWriter(tmp)) {
                wanted.store(out, "raftkv node identity: do not edit");
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (AccessDeniedException e) {
            throw new DataDirectoryException("permission denied: cannot " + (Files.exists(file) ? "read " : "create ")
                + e.getFile() + " (data directory " + dir + ")", e);
        } catch (IOException e) {
            throw new DataDirectoryException("cannot read or write " + file + ": " + e.getMessage(), e);
        }
    }

    private static Properties identity(Options options) {
        final Properties p = new Properties();
        p.setProperty("cluster.id", Integer.toString(options.clusterId()));
        p.setProperty("node.id", Integer.toString(options.nodeId()));
        p.setProperty("members", options.endpoints().keySet().stream().map(String::valueOf).collect(Collectors.joining(",")));
        return p;
    }

    private static boolean sameNode(Properties found, Properties wanted) {
        return Objects.equals(found.getProperty("cluster.id"), wanted.getProperty("cluster.id"))
            && Objects.equals(found.getProperty("node.id"), wanted.getProperty("node.id"));
    }

    private static String describe(Properties p) {
        return "node " + p.getProperty("node.id") + " of cluster " + p.getProperty("cluster.id") + " (members "
            + p.getProperty("members") + ")";
    }

    /** The node id. */
    public int id() {
        return options.nodeId();
    }

    /** The options the node was started with. */
    public Options options() {
        return options;
    }

    /** The Raft node. */
    public RaftNode raft() {
        return raft;
    }

    /** The directory of the node's embedded media driver (other Aeron clients of this process may connect to it). */
    public String aeronDirectory() {
        return aeronDirectory;
    }

    /** The replicated map, as applied on this node. */
    public KvStateMachine stateMachine() {
        final StateMachine application = stateMachine instanceof SessionStateMachine s ? s.application() : stateMachine;
        if (!(application instanceof KvStateMachine kv)) {
            throw new IllegalStateException("node " + id() + " runs " + stateMachine.getClass().getSimpleName()
                + ", not the key-value map");
        }
        return kv;
    }

    /** The latency of the log store's forces (fsync). */
    public StorageStats storageStats() {
        return storageStats;
    }

    /** The latest published metrics. */
    public RaftMetrics metrics() {
        return raft.metrics();
    }

    /** The session layer around the state machine, if it has one (the key-value map always does). */
    public Optional<SessionStateMachine> sessions() {
        return stateMachine instanceof SessionStateMachine s ? Optional.of(s) : Optional.empty();
    }

    /**
     * Proposes an encoded command (see {@link KvCommands}) without a session (applied as often as it is submitted);
     * completes once applied here, with its result.
     */
    public CompletableFuture<KvResult> submit(byte[] command) {
        if (sessions().isEmpty()) {
            return raft.propose(command).thenApply(KvCommands::decodeResult);
        }
        return raft.propose(SessionCommand.unsessioned(System.currentTimeMillis(), command))
            .thenApply(bytes -> KvCommands.decodeResult(SessionResponse.decode(bytes).response()));
    }

    /** Stops the node, its storage and its transport. Idempotent. */
    @Override
    public void close() {
        try {
            raft.close();
        } finally {
            lock.close();
        }
    }
}
