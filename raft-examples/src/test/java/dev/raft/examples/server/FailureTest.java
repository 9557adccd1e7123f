package dev.raft.examples.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.inject.Guice;
import com.google.inject.ProvisionException;
import dev.raft.api.error.StorageException;
import dev.raft.examples.kv.DataDirectoryException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The one-line message and exit code of each kind of fatal error, including those a root test run cannot provoke. */
class FailureTest {
    @Test
    void permissionDeniedOnTheDataDirectoryIsExit77() {
        final Failure f = Failure.of(new DataDirectoryException("permission denied: cannot create /srv/raft/raftkv.pid"
            + " (data directory /srv/raft)", new AccessDeniedException("/srv/raft/raftkv.pid")), null);
        assertEquals(new Failure(ExitCode.NO_PERMISSION, "permission denied: cannot create /srv/raft/raftkv.pid (data directory /srv/raft)"), f);
    }

    @Test
    void permissionDeniedInsideTheStoreNamesTheOperationWithoutJavaClassNames() {
        final Failure f = Failure.of(StorageException.fatal("FileLogStore: cannot lock /srv/raft/log/lock: "
            + "java.nio.file.AccessDeniedException: /srv/raft/log/lock", new AccessDeniedException("/srv/raft/log/lock")), null);
        assertEquals(ExitCode.NO_PERMISSION, f.exitCode());
        assertEquals("permission denied: FileLogStore: cannot lock /srv/raft/log/lock: permission denied: /srv/raft/log/lock", f.line());
    }

    @Test
    void guiceProvisioningDumpsAreUnwrappedToTheirCause() {
        final ProvisionException e = org.junit.jupiter.api.Assertions.assertThrows(ProvisionException.class,
            () -> Guice.createInjector(b -> b.bind(String.class).toProvider(() -> {
                throw StorageException.fatal("FileLogStore: directory /d/log is locked by another process (lock file /d/log/lock)", null);
            })).getInstance(String.class));
        final Failure f = Failure.of(e, Path.of("/d"));
        assertEquals(new Failure(ExitCode.CANNOT_CREATE, "FileLogStore: directory /d/log is locked by another process (lock file /d/log/lock)"), f);
    }

    @Test
    void noSpaceLeftIsAnIoErrorNamingTheOperation() {
        final Failure f = Failure.of(StorageException.fatal("FileLogStore: cannot preallocate /d/log/spare.seg.tmp: "
            + "java.io.IOException: No space left on device", new java.io.IOException("No space left on device")), null);
        assertEquals(ExitCode.IO_ERROR, f.exitCode());
        assertEquals("no space left on device: FileLogStore: cannot preallocate /d/log/spare.seg.tmp: No space left on device", f.line());
    }
}
