package dev.raft.examples.server;

import com.google.inject.CreationException;
import com.google.inject.ProvisionException;
import com.google.inject.spi.Message;
import dev.raft.api.error.CorruptStorageException;
import dev.raft.api.error.InvalidConfigException;
import dev.raft.api.error.NodeFailedException;
import dev.raft.examples.config.SettingsException;
import dev.raft.examples.kv.DataDirectoryException;
import dev.raft.transport.aeron.auth.KeyFileException;
import io.aeron.exceptions.RegistrationException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fatal error of {@code raftkv server} as one line naming what, where and why, and its {@link ExitCode}. Guice's
 * provisioning reports and other wrappers are unwrapped to the error that caused them; Java class names of
 * standard I/O exceptions are replaced by what they mean.
 *
 * @param exitCode the process exit code
 * @param line     the message, without a trailing newline
 */
public record Failure(ExitCode exitCode, String line) {
    private static final Pattern ENDPOINT = Pattern.compile("endpoint=([^|,\\s]+)");
    private static final Pattern JAVA_EXCEPTION = Pattern.compile("(?:[a-z][a-z0-9_]*\\.)+([A-Z][A-Za-z0-9_]*(?:Exception|Error))(?::\\s*)?");

    /**
     * Describes {@code error}, raised while starting or running the node of {@code dataDir} (may be null).
     */
    public static Failure of(Throwable error, Path dataDir) {
        final Throwable e = unwrap(error);
        final AccessDeniedException denied = find(e, AccessDeniedException.class);
        if (e instanceof StartupException s) {
            return new Failure(s.exitCode(), s.getMessage());
        }
        if (e instanceof SettingsException || e instanceof InvalidConfigException || e instanceof KeyFileException) {
            return new Failure(ExitCode.CONFIG, clean(e.getMessage()));
        }
        if (e instanceof CorruptStorageException c) {
            final String prefix = "corrupt data in " + c.file() + " at byte " + c.byteOffset() + ": ";
            final String detail = c.getMessage().startsWith(prefix) ? c.getMessage().substring(prefix.length()) : c.getMessage();
            return new Failure(ExitCode.CORRUPT_DATA, "corrupt record in " + c.file() + " at byte " + c.byteOffset() + ": "
                + clean(detail) + "; run 'raftkv log verify --dir " + (dataDir == null ? "<data dir>" : dataDir)
                + "' and see the README's corruption procedure");
        }
        if (e instanceof DataDirectoryException) {
            return new Failure(denied != null ? ExitCode.NO_PERMISSION : ExitCode.CANNOT_CREATE, clean(e.getMessage()));
        }
        final String message = String.valueOf(e.getMessage());
        if (e instanceof RegistrationException && message.contains("Address already in use")) {
            final Matcher m = ENDPOINT.matcher(message);
            return new Failure(ExitCode.UNAVAILABLE, "port " + (m.find() ? m.group(1) : "(unknown)")
                + " is in use: another process listens on it (stop it, or choose another port in --peers)");
        }
        if (e instanceof RegistrationException && message.contains("Cannot assign requested address")) {
            final Matcher m = ENDPOINT.matcher(message);
            return new Failure(ExitCode.UNAVAILABLE, "cannot bind " + (m.find() ? m.group(1) : "(unknown)")
                + ": the address is not one of this host's");
        }
        if (denied != null) {
            return new Failure(ExitCode.NO_PERMISSION, "permission denied: " + clean(message));
        }
        if (containsMessage(e, "No space left on device")) {
            return new Failure(ExitCode.IO_ERROR, "no space left on device: " + clean(message));
        }
        if (message.contains("is locked by another process")) {
            return new Failure(ExitCode.CANNOT_CREATE, clean(message));
        }
        if (e instanceof java.io.IOException || e instanceof UncheckedIOException
            || e instanceof dev.raft.api.error.StorageException) {
            return new Failure(ExitCode.IO_ERROR, clean(message));
        }
        return new Failure(ExitCode.SOFTWARE, e.getMessage() == null ? e.toString() : clean(message));
    }

    /**
     * The node stopped after {@code cause} (fail-stop): one line naming the node and the cause; the exit code is the
     * cause's (74 for an I/O error such as a full disk, 65 for corrupt data), else {@link ExitCode#SOFTWARE}.
     */
    public static Failure ofNodeFailure(int nodeId, Throwable cause, Path dataDir) {
        final Failure c = of(cause, dataDir);
        final ExitCode code = c.exitCode() == ExitCode.IO_ERROR || c.exitCode() == ExitCode.CORRUPT_DATA
            || c.exitCode() == ExitCode.NO_PERMISSION ? c.exitCode() : ExitCode.SOFTWARE;
        return new Failure(code, "node " + nodeId + " failed and stopped (fail-stop): " + c.line());
    }

    /** The error under Guice's and the JDK's wrappers. */
    public static Throwable unwrap(Throwable error) {
        Throwable e = error;
        for (int depth = 0; depth < 16; depth++) {
            Throwable next = null;
            if (e instanceof ProvisionException p) {
                next = firstCause(p.getErrorMessages(), p.getCause());
            } else if (e instanceof CreationException c) {
                next = firstCause(c.getErrorMessages(), c.getCause());
            } else if (e instanceof CompletionException || e instanceof ExecutionException || e instanceof NodeFailedException
                || e instanceof java.lang.reflect.InvocationTargetException
                || (e instanceof UncheckedIOException && e.getCause() != null && e.getMessage() == null)) {
                next = e.getCause();
            } else if (e.getClass() == RuntimeException.class && e.getCause() != null && e.getMessage() != null
                && e.getMessage().equals(e.getCause().toString())) {
                next = e.getCause();
            }
            if (next == null || next == e) {
                return e;
            }
            e = next;
        }
        return e;
    }

    private static Throwable firstCause(Collection<Message> messages, Throwable fallback) {
        for (Message m : messages) {
            if (m.getCause() != null) {
                return m.getCause();
            }
        }
        return fallback;
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static boolean containsMessage(Throwable e, String text) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains(text)) {
                return true;
            }
        }
        return false;
    }

    /** One line, without Java class names of exceptions (an {@code AccessDeniedException: f} reads as {@code f}). */
    static String clean(String message) {
        if (message == null) {
            return "(no detail)";
        }
        final String oneLine = message.replaceAll("\\s*[\\r\\n]+\\s*", "; ").trim();
        final Matcher m = JAVA_EXCEPTION.matcher(oneLine);
        final StringBuilder out = new StringBuilder();
        while (m.find()) {
            final String simple = m.group(1);
            final String meaning = switch (simple) {
                case "AccessDeniedException" -> "permission denied: ";
                case "NoSuchFileException" -> "no such file: ";
                case "FileAlreadyExistsException" -> "file exists: ";
                case "NotDirectoryException" -> "not a directory: ";
                case "DirectoryNotEmptyException" -> "directory not empty: ";
                default -> "";
            };
            m.appendReplacement(out, Matcher.quoteReplacement(meaning));
        }
        m.appendTail(out);
        return out.toString();
    }
}
