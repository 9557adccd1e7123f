package dev.raft.examples.config;

import dev.raft.api.Membership;
import dev.raft.api.config.IdleMode;
import dev.raft.api.config.RaftConfig;
import dev.raft.api.error.InvalidConfigException;
import dev.raft.storage.file.DurabilityMode;
import dev.raft.storage.file.FileStorageConfig;
import dev.raft.transport.aeron.AeronTransportConfig;
import dev.raft.transport.aeron.SourceCheck;
import io.aeron.driver.ThreadingMode;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The effective settings of a {@code raftkv server}: every field of {@link RaftConfig}, {@link FileStorageConfig}
 * and {@link AeronTransportConfig} plus the server's own, as {@code key = value} strings with where each value came
 * from (default, config file, flag). Layers apply in order: defaults, then a {@code java.util.Properties} file,
 * then flags; an unknown key or a malformed value is refused with one line naming the key, the value and its source.
 *
 * <p>Keys: {@code raft.<field>}, {@code storage.<field>} and {@code transport.<field>} are the config classes'
 * getter names; the server's own are {@link #NODE_ID}, {@link #CLUSTER_ID}, {@link #PEERS}, {@link #DATA_DIR},
 * {@link #METRICS_PORT}, {@link #METRICS_HOST} and {@link #LOG_LEVEL}.
 */
public final class ServerSettings {
    /** This node's id, a key of {@link #PEERS}. */
    public static final String NODE_ID = "node.id";
    /** Stamped on every frame and kept in the identity file. */
    public static final String CLUSTER_ID = "cluster.id";
    /** Every member's Raft endpoint: {@code 1=host:port,2=host:port,...}. */
    public static final String PEERS = "peers";
    /** The data directory. */
    public static final String DATA_DIR = "data.dir";
    /** The Prometheus scrape port; 0 (the default) serves no metrics endpoint. */
    public static final String METRICS_PORT = "metrics.port";
    /** The address the metrics endpoint binds to. */
    public static final String METRICS_HOST = "metrics.host";
    /** The log level: error, warn, info, debug or trace. */
    public static final String LOG_LEVEL = "log.level";

    /** The segment size a {@code raftkv server} uses unless told otherwise: small, for a developer machine. */
    public static final int DEVELOPER_SEGMENT_BYTES = 4 * 1024 * 1024;

    private static final String DEFAULT = "default";

    private final Map<String, String> values;
    private final Map<String, String> sources;

    private ServerSettings(Map<String, String> values, Map<String, String> sources) {
        this.values = values;
        this.sources = sources;
    }

    /** The defaults of every key (those of the three config classes, except a smaller segment size). */
    public static ServerSettings defaults() {
        final Map<String, String> v = new LinkedHashMap<>();
        v.put(NODE_ID, "");
        v.put(CLUSTER_ID, "1");
        v.put(PEERS, "");
        v.put(DATA_DIR, "");
        v.put(METRICS_PORT, "0");
        v.put(METRICS_HOST, "127.0.0.1");
        v.put(LOG_LEVEL, "info");
        final RaftConfig raft = RaftConfig.builder().nodeId(1).initialMembership(Membership.of(1)).build();
        v.put("raft.electionTimeoutMinMillis", Long.toString(raft.electionTimeoutMinMillis()));
        v.put("raft.electionTimeoutMaxMillis", Long.toString(raft.electionTimeoutMaxMillis()));
        v.put("raft.heartbeatIntervalMillis", Long.toString(raft.heartbeatIntervalMillis()));
        v.put("raft.preVote", Boolean.toString(raft.preVote()));
        v.put("raft.checkQuorum", Boolean.toString(raft.checkQuorum()));
        v.put("raft.maxEntriesPerAppend", Integer.toString(raft.maxEntriesPerAppend()));
        v.put("raft.maxBytesPerAppend", Integer.toString(raft.maxBytesPerAppend()));
        v.put("raft.maxInflightAppends", Integer.toString(raft.maxInflightAppends()));
        v.put("raft.snapshotChunkBytes", Integer.toString(raft.snapshotChunkBytes()));
        v.put("raft.maxInflightSnapshotChunks", Integer.toString(raft.maxInflightSnapshotChunks()));
        v.put("raft.snapshotTransferTimeoutMillis", Long.toString(raft.snapshotTransferTimeoutMillis()));
        v.put("raft.snapshotEveryAppliedEntries", Long.toString(raft.snapshotEveryAppliedEntries()));
        v.put("raft.maxAppliedLogToKeep", Long.toString(raft.maxAppliedLogToKeep()));
        v.put("raft.proposalQueueCapacity", Integer.toString(raft.proposalQueueCapacity()));
        v.put("raft.idleMode", raft.idleMode().name());
        v.put("raft.maxParkMicros", Long.toString(raft.maxParkMicros()));
        v.put("raft.clockDriftBoundMillis", ""); // empty: a fifth of the minimum election timeout (RaftConfig's default)
        v.put("raft.maxPromotionLag", Long.toString(raft.maxPromotionLag()));
        final FileStorageConfig storage = FileStorageConfig.defaults();
        v.put("storage.segmentSizeBytes", Integer.toString(DEVELOPER_SEGMENT_BYTES));
        v.put("storage.durabilityMode", storage.durabilityMode().name());
        v.put("storage.writeBufferBytes", Integer.toString(storage.writeBufferBytes()));
        v.put("storage.readBufferBytes", Integer.toString(storage.readBufferBytes()));
        v.put("storage.preallocate", Boolean.toString(storage.preallocate()));
        final AeronTransportConfig transport = AeronTransportConfig.builder().nodeId(1).endpoint(1, "127.0.0.1:1").build();
        v.put("transport.embeddedDriver", Boolean.toString(transport.embeddedDriver()));
        v.put("transport.aeronDirectory", "");
        v.put("transport.threadingMode", transport.threadingMode().name());
        v.put("transport.termLength", Integer.toString(transport.termLength()));
        v.put("transport.mtu", Integer.toString(transport.mtu()));
        v.put("transport.streamId", Integer.toString(transport.streamId()));
        v.put("transport.backPressureRetries", Integer.toString(transport.backPressureRetries()));
        v.put("transport.idleMode", transport.idleMode().name());
        v.put("transport.maxParkMicros", Long.toString(transport.maxParkMicros()));
        v.put("transport.pollFragmentLimit", Integer.toString(transport.pollFragmentLimit()));
        v.put("transport.keyFile", "");
        v.put("transport.keyReloadMillis", Long.toString(transport.keyReloadMillis()));
        v.put("transport.sourceCheck", transport.sourceCheck().name());
        final Map<String, String> s = new LinkedHashMap<>();
        v.keySet().forEach(k -> s.put(k, DEFAULT));
        return new ServerSettings(v, s);
    }

    /** Every key, in documentation order. */
    public Iterable<String> keys() {
        return Collections.unmodifiableSet(values.keySet());
    }

    /** A key's value ("" when unset). */
    public String get(String key) {
        return values.get(key);
    }

    /** Where a key's value came from: {@code default}, the config file's path or {@code flag}. */
    public String source(String key) {
        return sources.get(key);
    }

    /**
     * Sets a key from {@code source}.
     *
     * @throws SettingsException if the key is unknown
     */
    public ServerSettings set(String key, String value, String source) {
        if (!values.containsKey(key)) {
            throw SettingsException.from(source, "unknown setting '" + key + "' in " + source + " (raftkv info lists every key)");
        }
        values.put(key, value.trim());
        sources.put(key, source);
        return this;
    }

    /**
     * Applies a {@code java.util.Properties} file.
     *
     * @throws SettingsException naming the file and why it cannot be read, or its first unknown key
     */
    public ServerSettings load(Path file) {
        final Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            p.load(in);
        } catch (NoSuchFileException e) {
            throw new SettingsException("config file " + file + " does not exist");
        } catch (AccessDeniedException e) {
            throw new SettingsException("config file " + file + ": permission denied (cannot read it)");
        } catch (IOException | IllegalArgumentException e) {
            throw new SettingsException("config file " + file + " cannot be read: " + e.getMessage());
        }
        for (String key : new TreeMap<>(p).keySet().stream().map(String::valueOf).toList()) {
            set(key, p.getProperty(key), "config file " + file);
        }
        return this;
    }

    /** The node id. */
    public int nodeId() {
        return intOf(NODE_ID);
    }

    /** The cluster id. */
    public int clusterId() {
        return intOf(CLUSTER_ID);
    }

    /** The data directory. */
    public Path dataDir() {
        return Path.of(required(DATA_DIR));
    }

    /** The metrics port, 0 for none. */
    public int metricsPort() {
        final int port = intOf(METRICS_PORT);
        if (port < 0 || port > 65535) {
            throw invalid(METRICS_PORT, "a port in 0..65535 (0: no metrics endpoint)");
        }
        return port;
    }

    /** The metrics endpoint's bind address. */
    public String metricsHost() {
        return required(METRICS_HOST);
    }

    /** The log level, lower case. */
    public String logLevel() {
        final String level = required(LOG_LEVEL).toLowerCase(Locale.ROOT);
        if (!level.matches("error|warn|info|debug|trace")) {
            throw invalid(LOG_LEVEL, "one of error, warn, info, debug, trace");
        }
        return level;
    }

    /** The peers value ({@code 1=host:port,...}), checked by the caller. */
    public String peers() {
        return required(PEERS);
    }

    /** The Raft settings onto a builder that has node id and membership. */
    public RaftConfig.Builder applyRaft(RaftConfig.Builder b) {
        b.electionTimeoutMillis(longOf("raft.electionTimeoutMinMillis"), longOf("raft.electionTimeoutMaxMillis"))
            .heartbeatIntervalMillis(longOf("raft.heartbeatIntervalMillis"))
            .preVote(boolOf("raft.preVote"))
            .checkQuorum(boolOf("raft.checkQuorum"))
            .maxEntriesPerAppend(intOf("raft.maxEntriesPerAppend"))
            .maxBytesPerAppend(intOf("raft.maxBytesPerAppend"))
            .maxInflightAppends(intOf("raft.maxInflightAppends"))
            .snapshotChunkBytes(intOf("raft.snapshotChunkBytes"))
            .maxInflightSnapshotChunks(intOf("raft.maxInflightSnapshotChunks"))
            .snapshotTransferTimeoutMillis(longOf("raft.snapshotTransferTimeoutMillis"))
            .snapshotEveryAppliedEntries(longOf("raft.snapshotEveryAppliedEntries"))
            .maxAppliedLogToKeep(longOf("raft.maxAppliedLogToKeep"))
            .proposalQueueCapacity(intOf("raft.proposalQueueCapacity"))
            .idleMode(enumOf("raft.idleMode", IdleMode.class))
            .maxParkMicros(longOf("raft.maxParkMicros"))
            .maxPromotionLag(longOf("raft.maxPromotionLag"));
        if (!get("raft.clockDriftBoundMillis").isEmpty()) {
            b.clockDriftBoundMillis(longOf("raft.clockDriftBoundMillis"));
        }
        return b;
    }

    /** The storage settings onto a builder. */
    public FileStorageConfig.Builder applyStorage(FileStorageConfig.Builder b) {
        return b.segmentSizeBytes(intOf("storage.segmentSizeBytes"))
            .durabilityMode(enumOf("storage.durabilityMode", DurabilityMode.class))
            .writeBufferBytes(intOf("storage.writeBufferBytes"))
            .readBufferBytes(intOf("storage.readBufferBytes"))
            .preallocate(boolOf("storage.preallocate"));
    }

    /** The transport settings (not cluster id, node id, endpoints) onto a builder. */
    public AeronTransportConfig.Builder applyTransport(AeronTransportConfig.Builder b) {
        final String dir = get("transport.aeronDirectory");
        return b.embeddedDriver(boolOf("transport.embeddedDriver"))
            .aeronDirectory(dir.isEmpty() ? null : dir)
            .threadingMode(enumOf("transport.threadingMode", ThreadingMode.class))
            .termLength(intOf("transport.termLength"))
            .mtu(intOf("transport.mtu"))
            .streamId(intOf("transport.streamId"))
            .backPressureRetries(intOf("transport.backPressureRetries"))
            .idleMode(enumOf("transport.idleMode", dev.raft.api.config.IdleMode.class))
            .maxParkMicros(longOf("transport.maxParkMicros"))
            .pollFragmentLimit(intOf("transport.pollFragmentLimit"))
            .keyFile(get("transport.keyFile").isEmpty() ? null : Path.of(get("transport.keyFile")))
            .keyReloadMillis(longOf("transport.keyReloadMillis"))
            .sourceCheck(enumOf("transport.sourceCheck", SourceCheck.class));
    }

    /** Builds the storage config, naming the key of a field out of range. */
    public FileStorageConfig storageConfig() {
        return build(() -> applyStorage(FileStorageConfig.builder()).build(), "storage.");
    }

    /** Builds the Raft config for {@code nodeId} in {@code membership}, naming the key of a field out of range. */
    public RaftConfig raftConfig(int nodeId, Membership membership) {
        return build(() -> applyRaft(RaftConfig.builder().nodeId(nodeId).initialMembership(membership)).build(), "raft.");
    }

    /** Builds the transport config, naming the key of a field out of range. */
    public AeronTransportConfig transportConfig(int clusterId, int nodeId, Map<Integer, String> endpoints) {
        return build(() -> applyTransport(AeronTransportConfig.builder().clusterId(clusterId).nodeId(nodeId)
            .endpoints(endpoints)).build(), "transport.");
    }

    private <T> T build(java.util.function.Supplier<T> builder, String prefix) {
        try {
            return builder.get();
        } catch (InvalidConfigException e) {
            final String key = prefix + e.field().substring(e.field().indexOf('.') + 1);
            final String from = sources.containsKey(key) ? " (from " + sources.get(key) + ")" : "";
            throw SettingsException.from(sources.get(key), "invalid setting " + key + from + ": " + e.getMessage());
        }
    }

    private String required(String key) {
        final String v = values.get(key);
        if (v.isEmpty()) {
            throw new SettingsException("setting " + key + " is required (a flag, or a key of --config)", true);
        }
        return v;
    }

    private int intOf(String key) {
        final long v = longOf(key);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw invalid(key, "an integer below 2^31");
        }
        return (int) v;
    }

    private long longOf(String key) {
        final String v = required(key);
        try {
            return Sizes.parse(v);
        } catch (NumberFormatException e) {
            throw invalid(key, "an integer, optionally with a KiB, MiB or GiB suffix");
        }
    }

    private boolean boolOf(String key) {
        final String v = required(key).toLowerCase(Locale.ROOT);
        if (!v.equals("true") && !v.equals("false")) {
            throw invalid(key, "true or false");
        }
        return Boolean.parseBoolean(v);
    }

    private <E extends Enum<E>> E enumOf(String key, Class<E> type) {
        final String v = required(key).toUpperCase(Locale.ROOT);
        try {
            return Enum.valueOf(type, v);
        } catch (IllegalArgumentException e) {
            throw invalid(key, "one of " + java.util.Arrays.toString(type.getEnumConstants()));
        }
    }

    private SettingsException invalid(String key, String allowed) {
        return SettingsException.from(sources.get(key), "invalid setting " + key + " = '" + values.get(key) + "' (from "
            + sources.get(key) + "): allowed " + allowed);
    }
}
