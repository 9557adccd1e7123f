package dev.raft.examples;

import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine;

/** Parses {@code 1=host:port,2=host:port,...}, the node list of {@code server --peers} and {@code client --cluster}. */
final class Endpoints {
    private Endpoints() {
    }

    /**
     * @throws CommandLine.ParameterException naming the option and the bad element (picocli then prints the
     *                                        reason and the usage, exit code 2)
     */
    static Map<Integer, String> parse(CommandLine commandLine, String option, String value) {
        final Map<Integer, String> endpoints = new TreeMap<>();
        for (String element : value.split(",")) {
            final String e = element.trim();
            final int eq = e.indexOf('=');
            final int colon = e.lastIndexOf(':');
            if (eq <= 0 || colon <= eq + 1 || colon == e.length() - 1) {
                throw bad(commandLine, option, e, "expected id=host:port");
            }
            final int id;
            final int port;
            try {
                id = Integer.parseInt(e.substring(0, eq));
                port = Integer.parseInt(e.substring(colon + 1));
            } catch (NumberFormatException ex) {
                throw bad(commandLine, option, e, "the id and the port must be numbers");
            }
            if (id <= 0) {
                throw bad(commandLine, option, e, "node ids must be > 0");
            }
            if (port < 1 || port > 65534) {
                throw bad(commandLine, option, e, "the port must be in [1, 65534] (clients are served on port + 1)");
            }
            if (endpoints.put(id, e.substring(eq + 1)) != null) {
                throw bad(commandLine, option, e, "node " + id + " is listed twice");
            }
        }
        return endpoints;
    }

    private static CommandLine.ParameterException bad(CommandLine commandLine, String option, String element, String why) {
        return new CommandLine.ParameterException(commandLine,
            "Invalid value for option '" + option + "': '" + element + "': " + why);
    }
}
