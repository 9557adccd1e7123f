package dev.raft.transport.aeron.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Reads and writes key files.
 *
 * <p>Format: UTF-8 text; blank lines and lines starting with {@code #} are ignored; the first key line is the
 * current key (it signs), an optional second key line is also accepted when verifying (see {@link MacKeys}).
 * Each key line is {@value MacKeys#KEY_LENGTH} bytes as 64 hexadecimal digits, e.g. from
 * {@code openssl rand -hex 32}. At most {@value #MAX_FILE_BYTES} bytes.
 *
 * <p>The file must be a regular file that neither group nor others can read, write or execute (mode
 * {@code 0600} or {@code 0400}): {@link #load} refuses any other mode, naming the file and its mode. On file
 * systems without POSIX permissions the mode is not checked.
 */
public final class KeyFile {
    /** The largest key file read: 4 KiB, plenty for two keys and comments. */
    public static final int MAX_FILE_BYTES = 4096;

    private static final Set<PosixFilePermission> FORBIDDEN = EnumSet.of(
        PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
        PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
    private static final Set<PosixFilePermission> OWNER_ONLY =
        EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

    private KeyFile() {
    }

    /**
     * Loads the keys of {@code file}.
     *
     * @throws KeyFileException naming the file and what is wrong: missing, not a regular file, group- or
     *                          other-accessible (with its mode), too large, no key, more than two keys, or a
     *                          line that is not 64 hexadecimal digits (with its line number, never its content)
     */
    public static MacKeys load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new KeyFileException("key file " + file + " does not exist or is not a regular file");
        }
        checkMode(file);
        final byte[] bytes;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new KeyFileException("key file " + file + " is larger than " + MAX_FILE_BYTES + " bytes: not a key file");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new KeyFileException("key file " + file + " cannot be read: " + e, e);
        }
        final List<byte[]> keys = new ArrayList<>(2);
        final String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            final String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (keys.size() == 2) {
                throw new KeyFileException("key file " + file + " line " + (i + 1) + ": a third key; at most two"
                    + " (the current key, then the one also accepted during a rotation)");
            }
            keys.add(parseKey(file, i + 1, line));
        }
        if (keys.isEmpty()) {
            throw new KeyFileException("key file " + file + " holds no key: expected a line of 64 hexadecimal digits");
        }
        return MacKeys.of(keys.get(0), keys.size() > 1 ? keys.get(1) : null);
    }

    /** The mode of {@code file} as octal digits and letters, e.g. {@code "0644 (rw-r--r--)"}, or null without POSIX permissions. */
    public static String mode(Path file) throws IOException {
        final Set<PosixFilePermission> permissions;
        try {
            permissions = Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException e) {
            return null;
        }
        int octal = 0;
        for (PosixFilePermission p : permissions) {
            octal |= 1 << (8 - p.ordinal());
        }
        return String.format("0%03o (%s)", octal, PosixFilePermissions.toString(permissions));
    }

    private static void checkMode(Path file) {
        final Set<PosixFilePermission> permissions;
        try {
            permissions = Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException e) {
            return;
        } catch (IOException e) {
            throw new KeyFileException("key file " + file + ": cannot read its permissions: " + e, e);
        }
        for (PosixFilePermission p : permissions) {
            if (FORBIDDEN.contains(p)) {
                String mode;
                try {
                    mode = mode(file);
                } catch (IOException e) {
                    mode = PosixFilePermissions.toString(permissions);
                }
                throw new KeyFileException("key file " + file + " has mode " + mode
                    + ": group and others must have no access (chmod 600 " + file + ")");
            }
        }
    }

    private static byte[] parseKey(Path file, int lineNumber, String line) {
        if (line.length() != 2 * MacKeys.KEY_LENGTH) {
            throw new KeyFileException("key file " + file + " line " + lineNumber + ": " + line.length()
                + " characters; a key is " + 2 * MacKeys.KEY_LENGTH + " hexadecimal digits (" + MacKeys.KEY_LENGTH + " bytes)");
        }
        try {
            return HexFormat.of().parseHex(line);
        } catch (IllegalArgumentException e) {
            throw new KeyFileException("key file " + file + " line " + lineNumber + ": not hexadecimal digits");
        }
    }

    /** A new random key from {@link SecureRandom}. */
    public static byte[] randomKey() {
        final byte[] key = new byte[MacKeys.KEY_LENGTH];
        new SecureRandom().nextBytes(key);
        return key;
    }

    /**
     * Writes {@code keys} to {@code file} atomically (a temporary owner-only file in the same directory, then
     * renamed over it), so a node reloading the file never reads half of it.
     *
     * @throws KeyFileException if the file cannot be written
     */
    public static void write(Path file, MacKeys keys) {
        final StringBuilder text = new StringBuilder("# raft cluster key file: line 1 signs, line 2 is also accepted\n");
        text.append(HexFormat.of().formatHex(keys.current())).append('\n');
        if (keys.hasSecond()) {
            text.append(HexFormat.of().formatHex(keys.second())).append('\n');
        }
        final Path dir = file.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
            try {
                Files.setPosixFilePermissions(tmp, OWNER_ONLY);
            } catch (UnsupportedOperationException ignored) {
                // no POSIX permissions on this file system: nothing to restrict
            }
            Files.write(tmp, text.toString().getBytes(StandardCharsets.UTF_8));
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new KeyFileException("key file " + file + " cannot be written: " + e, e);
        } finally {
            if (tmp != null && Files.exists(tmp, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    Files.delete(tmp);
                } catch (IOException ignored) {
                    // best effort: the rename above normally consumed it
                }
            }
        }
    }
}
