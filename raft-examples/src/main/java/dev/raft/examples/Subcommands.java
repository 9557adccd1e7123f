package dev.raft.examples;

import java.util.function.Function;
import picocli.CommandLine;

/**
 * Adds picocli subcommands on demand. Picocli reads a command's annotations, and registers its converters, when the
 * command is added; a client call would otherwise pay for the model of every command of {@code raftkv} before
 * parsing its arguments. When the arguments name one subcommand, only that one is added (its usage and errors are
 * the same); otherwise all are, so that a usage listing or a "did you mean" suggestion names them all.
 */
final class Subcommands {
    private Subcommands() {
    }

    /** Adds {@code only}'s subcommand to {@code parent}, or all of {@code names} (in their order) if it is null. */
    static void add(CommandLine parent, String[] names, Function<String, Object> create, String only) {
        for (String name : names) {
            if (only == null || only.equals(name)) {
                parent.addSubcommand(name, create.apply(name));
            }
        }
    }

    /** {@code candidate} if it is one of {@code names}, else null. */
    static String named(String[] names, String candidate) {
        for (String name : names) {
            if (name.equals(candidate)) {
                return name;
            }
        }
        return null;
    }

    /** The one argument from index {@code from} on that is one of {@code names}; null if none or several are. */
    static String onlyNamed(String[] names, String[] args, int from) {
        String found = null;
        for (int i = from; i < args.length; i++) {
            final String name = named(names, args[i]);
            if (name != null) {
                if (found != null && !found.equals(name)) {
                    return null;
                }
                found = name;
            }
        }
        return found;
    }
}
