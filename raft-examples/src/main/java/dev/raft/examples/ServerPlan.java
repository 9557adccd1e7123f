package dev.raft.examples;

import dev.raft.api.Membership;
import dev.raft.examples.config.ServerSettings;
import dev.raft.examples.config.SettingsException;
import dev.raft.examples.kv.KvNode;
import dev.raft.storage.file.FileStorageConfig;
import java.util.Map;
import picocli.CommandLine;

/**
 * What {@code raftkv server} will run, derived from its effective settings and validated as a whole before
 * anything starts: every config class built once, so a bad value is reported with its key and source.
 *
 * @param settings the effective settings
 * @param options  the node's options
 * @param storage  the storage configuration the node will use
 */
record ServerPlan(ServerSettings settings, KvNode.Options options, FileStorageConfig storage) {
    /**
     * @throws SettingsException naming the first missing or invalid setting
     */
    static ServerPlan of(ServerSettings s) {
        return of(s, false);
    }

    /**
     * @param join start with no membership of its own: a learner that never campaigns and waits to be added by the
     *             cluster's leader ({@code raftkv admin add-learner}); {@code --peers} must name at least one other
     *             node (whose frames it accepts and answers until the leader's log tells it the real membership)
     * @throws SettingsException naming the first missing or invalid setting
     */
    static ServerPlan of(ServerSettings s, boolean join) {
        final Map<Integer, String> endpoints;
        try {
            endpoints = Endpoints.parse(new CommandLine(CommandLine.Model.CommandSpec.create()), ServerSettings.PEERS, s.peers());
        } catch (CommandLine.ParameterException e) {
            final String source = s.source(ServerSettings.PEERS);
            throw SettingsException.from(source, e.getMessage().replace("option '" + ServerSettings.PEERS + "'",
                source.startsWith("flag ") ? "option '--peers'" : "setting '" + ServerSettings.PEERS + "' (from " + source + ")"));
        }
        final int id = s.nodeId();
        if (!endpoints.containsKey(id)) {
            final String source = s.source(ServerSettings.NODE_ID);
            throw SettingsException.from(source, source.startsWith("flag ")
                ? "--id " + id + " is not one of the --peers ids " + endpoints.keySet()
                : "node.id " + id + " (from " + source + ") is not one of the peers ids " + endpoints.keySet());
        }
        final int clusterId = s.clusterId();
        if (clusterId < 0) {
            throw SettingsException.from(s.source(ServerSettings.CLUSTER_ID), "--cluster-id must be >= 0, got " + clusterId
                + " (cluster.id, from " + s.source(ServerSettings.CLUSTER_ID) + ")");
        }
        s.logLevel();
        s.metricsPort();
        final int[] members = endpoints.keySet().stream().mapToInt(Integer::intValue).toArray();
        final Membership initial = join ? joining(id, endpoints) : Membership.of(new int[][] {members}, new int[0], endpoints);
        s.raftConfig(id, initial);
        s.transportConfig(clusterId, id, endpoints);
        final FileStorageConfig storage = s.storageConfig();
        final KvNode.Options options = new KvNode.Options(clusterId, id, endpoints, s.dataDir(), null,
            storage.durabilityMode(), join ? b -> s.applyRaft(b).initialMembership(initial) : s::applyRaft,
            s::applyStorage, s::applyTransport);
        return new ServerPlan(s, options, storage);
    }

    /**
     * The membership a joining node starts with (used only while its log is empty): itself a learner of the other
     * nodes of {@code --peers}, so it never campaigns, and its transport answers them until the leader's log brings
     * the membership in force.
     */
    private static Membership joining(int id, Map<Integer, String> endpoints) {
        final int[] others = endpoints.keySet().stream().mapToInt(Integer::intValue).filter(n -> n != id).toArray();
        if (others.length == 0) {
            throw SettingsException.from("flag --join", "--join needs --peers to name at least one node of the cluster"
                + " to join besides node " + id);
        }
        return Membership.of(new int[][] {others}, new int[] {id}, endpoints);
    }
}
