package dev.raft.transport.aeron;

import dev.raft.api.config.IdleMode;
import dev.raft.api.error.InvalidConfigException;
import io.aeron.driver.ThreadingMode;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything the Aeron transport of one node needs: who it is, where every node listens, and how the
 * media driver and channels are set up. Immutable; built and validated by {@link Builder#build()}, whose
 * {@link InvalidConfigException} names the field, the rejected value and the allowed range.
 *
 * <p>Channels: each node subscribes on {@code aeron:udp?endpoint=<its endpoint>} and publishes to each
 * peer on {@code aeron:udp?endpoint=<peer endpoint>|mtu=<mtu>|term-length=<termLength>}, all on
 * {@link #streamId()}. The largest message (an InstallSnapshot chunk or an AppendEntries batch, plus at
 * most a few hundred bytes of header and metadata) is {@code termLength / 8}: 2 MiB by default.
 */
public final class AeronTransportConfig {
    /** Smallest accepted {@link #termLength()}: 64 KiB (Aeron's minimum). */
    public static final int MIN_TERM_LENGTH = 64 * 1024;
    /** Largest accepted {@link #termLength()}: 1 GiB (Aeron's maximum). */
    public static final int MAX_TERM_LENGTH = 1024 * 1024 * 1024;
    /** Smallest accepted {@link #mtu()}. */
    public static final int MIN_MTU = 576;
    /** Largest accepted {@link #mtu()}: the largest UDP payload Aeron sends. */
    public static final int MAX_MTU = 65504;

    private final int clusterId;
    private final int nodeId;
    private final Map<Integer, String> endpoints;
    private final boolean embeddedDriver;
    private final String aeronDirectory;
    private final ThreadingMode threadingMode;
    private final int termLength;
    private final int mtu;
    private final int streamId;
    private final int backPressureRetries;
    private final IdleMode idleMode;
    private final long maxParkMicros;
    private final int pollFragmentLimit;
    private final Path keyFile;
    private final long keyReloadMillis;
    private final SourceCheck sourceCheck;

    private AeronTransportConfig(Builder b) {
        clusterId = b.clusterId;
        nodeId = b.nodeId;
        endpoints = Collections.unmodifiableMap(new TreeMap<>(b.endpoints));
        embeddedDriver = b.embeddedDriver;
        aeronDirectory = b.aeronDirectory != null ? b.aeronDirectory
            : embeddedDriver ? defaultEmbeddedDirectory(clusterId, nodeId) : io.aeron.CommonContext.getAeronDirectoryName();
        threadingMode = b.threadingMode;
        termLength = b.termLength;
        mtu = b.mtu;
        streamId = b.streamId;
        backPressureRetries = b.backPressureRetries;
        idleMode = b.idleMode;
        maxParkMicros = b.maxParkMicros;
        pollFragmentLimit = b.pollFragmentLimit;
        keyFile = b.keyFile;
        keyReloadMillis = b.keyReloadMillis;
        sourceCheck = b.sourceCheck;
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The cluster id stamped on every frame; frames of another cluster are dropped. */
    public int clusterId() {
        return clusterId;
    }

    /** The local node's id. */
    public int nodeId() {
        return nodeId;
    }

    /** The {@code host:port} UDP endpoint of every node (the local one included), by node id. */
    public Map<Integer, String> endpoints() {
        return endpoints;
    }

    /** The endpoint of {@code id}, or null if none is configured. */
    public String endpoint(int id) {
        return endpoints.get(id);
    }

    /** Whether the transport starts its own media driver (true) or connects to one at {@link #aeronDirectory()}. */
    public boolean embeddedDriver() {
        return embeddedDriver;
    }

    /**
     * The Aeron directory. For an embedded driver it is deleted on start and on close; by default
     * {@code /dev/shm/raft-aeron-c<cluster>-n<node>-<pid>} (or under {@code java.io.tmpdir} without
     * {@code /dev/shm}). Directories left by killed processes are removed by the next transport that starts or
     * closes on the host ({@link AeronDirectories#removeStale}). For an external driver, by default Aeron's
     * {@code aeron.dir}.
     */
    public String aeronDirectory() {
        return aeronDirectory;
    }

    /** The embedded driver's threading mode: SHARED (one thread) by default below 8 cores, else DEDICATED. */
    public ThreadingMode threadingMode() {
        return threadingMode;
    }

    /** The term buffer length of the publications: a power of two in [64 KiB, 1 GiB]; 16 MiB by default. */
    public int termLength() {
        return termLength;
    }

    /** The largest message a publication carries: {@code termLength / 8} (Aeron's rule), at most 16 MiB. */
    public int maxMessageLength() {
        return Math.min(termLength / 8, 16 * 1024 * 1024);
    }

    /** The MTU of the publications: a multiple of 32 in [576, 65504]; 1408 by default. */
    public int mtu() {
        return mtu;
    }

    /** The Aeron stream id of every channel; 1001 by default. */
    public int streamId() {
        return streamId;
    }

    /** How many times a back-pressured, not-connected or admin-action send is retried before it is dropped; 8 by default. */
    public int backPressureRetries() {
        return backPressureRetries;
    }

    /** How the embedded driver's threads wait when idle: BACKOFF by default (fits shared cores). */
    public IdleMode idleMode() {
        return idleMode;
    }

    /** The longest park of the BACKOFF idle strategy, in microseconds; 1000 by default. */
    public long maxParkMicros() {
        return maxParkMicros;
    }

    /** The most fragments one {@code poll} reads, whatever its message limit; 256 by default. */
    public int pollFragmentLimit() {
        return pollFragmentLimit;
    }

    /**
     * The cluster key file, or null for no frame authentication (the default). With a key file, every frame
     * sent carries a sequence number and an HMAC-SHA256 tag (see {@link dev.raft.transport.aeron.auth}), and
     * every frame received without a valid tag is dropped ({@code bad-mac}) before it is decoded; a frame
     * whose sequence number is not above the last one delivered from its sender is dropped as a
     * {@code replay}. The file format and its required mode are those of
     * {@link dev.raft.transport.aeron.auth.KeyFile}.
     */
    public Path keyFile() {
        return keyFile;
    }

    /** Whether frames are authenticated: a {@link #keyFile()} is configured. */
    public boolean authenticated() {
        return keyFile != null;
    }

    /**
     * How often, in milliseconds, the transport checks whether the {@link #keyFile()} changed (a new file
     * renamed over it, or a new modification time) and loads it; 0 never reloads. 1000 by default. A changed
     * file that cannot be loaded is logged and the keys in use are kept.
     */
    public long keyReloadMillis() {
        return keyReloadMillis;
    }

    /** Whether frames from an address other than their claimed sender's host are counted or dropped; COUNT by default. */
    public SourceCheck sourceCheck() {
        return sourceCheck;
    }

    /** The channel a node subscribes on. */
    public String subscriptionChannel() {
        return "aeron:udp?endpoint=" + endpoints.get(nodeId);
    }

    /** The channel to publish to {@code endpoint}. */
    public String publicationChannel(String endpoint) {
        return "aeron:udp?endpoint=" + endpoint + "|mtu=" + mtu + "|term-length=" + termLength;
    }

    private static String defaultEmbeddedDirectory(int clusterId, int nodeId) {
        return AeronDirectories.defaultDirectory(clusterId, nodeId).toString();
    }

    @Override
    public String toString() {
        return "AeronTransportConfig{clusterId=" + clusterId + ", nodeId=" + nodeId + ", endpoints=" + endpoints
            + ", embeddedDriver=" + embeddedDriver + ", aeronDirectory=" + aeronDirectory + ", threadingMode=" + threadingMode
            + ", termLength=" + termLength + ", mtu=" + mtu + ", streamId=" + streamId
            + ", backPressureRetries=" + backPressureRetries + ", idleMode=" + idleMode + ", maxParkMicros=" + maxParkMicros
            + ", pollFragmentLimit=" + pollFragmentLimit + ", keyFile=" + keyFile + ", keyReloadMillis=" + keyReloadMillis
            + ", sourceCheck=" + sourceCheck + "}";
    }

    /** Builds an {@link AeronTransportConfig}; every setter's range is checked by {@link #build()}. */
    public static final class Builder {
        private int clusterId;
        private int nodeId;
        private final Map<Integer, String> endpoints = new TreeMap<>();
        private boolean embeddedDriver = true;
        private String aeronDirectory;
        private ThreadingMode threadingMode =
            Runtime.getRuntime().availableProcessors() >= 8 ? ThreadingMode.DEDICATED : ThreadingMode.SHARED;
        private int termLength = 16 * 1024 * 1024;
        private int mtu = 1408;
        private int streamId = 1001;
        private int backPressureRetries = 8;
        private IdleMode idleMode = IdleMode.BACKOFF;
        private long maxParkMicros = 1000;
        private int pollFragmentLimit = 256;
        private Path keyFile;
        private long keyReloadMillis = 1000;
        private SourceCheck sourceCheck = SourceCheck.COUNT;

        private Builder() {
        }

        /** See {@link AeronTransportConfig#clusterId()}; {@code >= 0}, 0 by default. */
        public Builder clusterId(int v) {
            clusterId = v;
            return this;
        }

        /** See {@link AeronTransportConfig#nodeId()}; required, {@code > 0}, must have an endpoint. */
        public Builder nodeId(int v) {
            nodeId = v;
            return this;
        }

        /** Sets the {@code host:port} endpoint of node {@code id}. */
        public Builder endpoint(int id, String hostPort) {
            endpoints.put(id, hostPort);
            return this;
        }

        /** Sets the endpoints of several nodes. */
        public Builder endpoints(Map<Integer, String> byId) {
            endpoints.putAll(byId);
            return this;
        }

        /** See {@link AeronTransportConfig#embeddedDriver()}. */
        public Builder embeddedDriver(boolean v) {
            embeddedDriver = v;
            return this;
        }

        /** See {@link AeronTransportConfig#aeronDirectory()}; null for the default. */
        public Builder aeronDirectory(String v) {
            aeronDirectory = v;
            return this;
        }

        /** See {@link AeronTransportConfig#threadingMode()}. */
        public Builder threadingMode(ThreadingMode v) {
            threadingMode = v;
            return this;
        }

        /** See {@link AeronTransportConfig#termLength()}. */
        public Builder termLength(int v) {
            termLength = v;
            return this;
        }

        /** See {@link AeronTransportConfig#mtu()}. */
        public Builder mtu(int v) {
            mtu = v;
            return this;
        }

        /** See {@link AeronTransportConfig#streamId()}. */
        public Builder streamId(int v) {
            streamId = v;
            return this;
        }

        /** See {@link AeronTransportConfig#backPressureRetries()}; in [0, 1000000]. */
        public Builder backPressureRetries(int v) {
            backPressureRetries = v;
            return this;
        }

        /** See {@link AeronTransportConfig#idleMode()}. */
        public Builder idleMode(IdleMode v) {
            idleMode = v;
            return this;
        }

        /** See {@link AeronTransportConfig#maxParkMicros()}; in [1, 1000000]. */
        public Builder maxParkMicros(long v) {
            maxParkMicros = v;
            return this;
        }

        /** See {@link AeronTransportConfig#pollFragmentLimit()}; in [1, 65536]. */
        public Builder pollFragmentLimit(int v) {
            pollFragmentLimit = v;
            return this;
        }

        /** See {@link AeronTransportConfig#keyFile()}; null (the default) switches authentication off. */
        public Builder keyFile(Path v) {
            keyFile = v;
            return this;
        }

        /** See {@link AeronTransportConfig#keyReloadMillis()}; in [0, 3600000]. */
        public Builder keyReloadMillis(long v) {
            keyReloadMillis = v;
            return this;
        }

        /** See {@link AeronTransportConfig#sourceCheck()}. */
        public Builder sourceCheck(SourceCheck v) {
            sourceCheck = v;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws InvalidConfigException naming the first field out of range, its value and the allowed range
         */
        public AeronTransportConfig build() {
            if (clusterId < 0) {
                throw invalid("clusterId", clusterId, ">= 0");
            }
            if (nodeId <= 0) {
                throw invalid("nodeId", nodeId, "> 0");
            }
            if (endpoints.isEmpty()) {
                throw invalid("endpoints", endpoints, "one host:port per node id, at least the local node's");
            }
            for (Map.Entry<Integer, String> e : endpoints.entrySet()) {
                if (e.getKey() == null || e.getKey() <= 0) {
                    throw invalid("endpoints", e.getKey(), "node ids > 0");
                }
                checkEndpoint(e.getKey(), e.getValue());
            }
            if (!endpoints.containsKey(nodeId)) {
                throw invalid("endpoints", endpoints.keySet(), "must contain the local nodeId " + nodeId);
            }
            if (threadingMode == null) {
                throw invalid("threadingMode", null, "one of " + java.util.Arrays.toString(ThreadingMode.values()));
            }
            if (termLength < MIN_TERM_LENGTH || termLength > MAX_TERM_LENGTH || Integer.bitCount(termLength) != 1) {
                throw invalid("termLength", termLength, "a power of two in [" + MIN_TERM_LENGTH + ", " + MAX_TERM_LENGTH + "]");
            }
            if (mtu < MIN_MTU || mtu > MAX_MTU || mtu % 32 != 0) {
                throw invalid("mtu", mtu, "a multiple of 32 in [" + MIN_MTU + ", " + MAX_MTU + "]");
            }
            if (backPressureRetries < 0 || backPressureRetries > 1_000_000) {
                throw invalid("backPressureRetries", backPressureRetries, "[0, 1000000]");
            }
            if (idleMode == null) {
                throw invalid("idleMode", null, "one of " + java.util.Arrays.toString(IdleMode.values()));
            }
            if (maxParkMicros < 1 || maxParkMicros > 1_000_000) {
                throw invalid("maxParkMicros", maxParkMicros, "[1, 1000000]");
            }
            if (pollFragmentLimit < 1 || pollFragmentLimit > 65536) {
                throw invalid("pollFragmentLimit", pollFragmentLimit, "[1, 65536]");
            }
            if (keyReloadMillis < 0 || keyReloadMillis > 3_600_000) {
                throw invalid("keyReloadMillis", keyReloadMillis, "[0, 3600000]");
            }
            if (sourceCheck == null) {
                throw invalid("sourceCheck", null, "one of " + java.util.Arrays.toString(SourceCheck.values()));
            }
            if (aeronDirectory != null && aeronDirectory.isBlank()) {
                throw invalid("aeronDirectory", "'" + aeronDirectory + "'", "a directory path, or null for the default");
            }
            return new AeronTransportConfig(this);
        }

        private static void checkEndpoint(int id, String endpoint) {
            final String allowed = "host:port with a non-empty host and a port in [1, 65535]";
            final String field = "endpoints[" + id + "]";
            if (endpoint == null) {
                throw invalid(field, null, allowed);
            }
            final int colon = endpoint.lastIndexOf(':');
            if (colon <= 0 || colon == endpoint.length() - 1 || endpoint.indexOf('|') >= 0 || endpoint.indexOf('?') >= 0) {
                throw invalid(field, "'" + endpoint + "'", allowed);
            }
            final int port;
            try {
                port = Integer.parseInt(endpoint.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw invalid(field, "'" + endpoint + "'", allowed);
            }
            if (port < 1 || port > 65535) {
                throw invalid(field, "'" + endpoint + "'", allowed);
            }
        }

        private static InvalidConfigException invalid(String field, Object value, String allowed) {
            return new InvalidConfigException("AeronTransportConfig." + field, value, allowed);
        }
    }
}
