package dev.attention4j.models.checkpoints;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/** The file-system steps of a crash-safe save: atomic file replacement, directory sync, recursive delete. */
final class AtomicFiles {

    private static final int TEMP_NAME_ATTEMPTS = 100;
    private static final boolean WINDOWS = System.getProperty("os.name", "").toLowerCase(Locale.ROOT)
            .startsWith("windows");

    private AtomicFiles() {
    }

    /**
     * Replaces {@code target} with {@code bytes}: written to a hidden temporary sibling, synced to disk, then
     * renamed over {@code target} atomically, so a crash leaves the old file or the new one. The temporary file is
     * deleted when writing fails. The rename is not synced: call {@link #syncDirectory} on the parent.
     *
     * @throws java.nio.file.AtomicMoveNotSupportedException if the file system cannot rename atomically (never
     *                                                       falls back to a copy)
     */
    static void write(Path target, byte[] bytes) throws IOException {
        Path temp = createTempSibling(target, ".tmp");
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                out.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException deleting) {
                e.addSuppressed(deleting);
            }
            throw e;
        }
    }

    /** A new empty file beside {@code target} named {@code .<name>.<random><suffix>}. */
    private static Path createTempSibling(Path target, String suffix) throws IOException {
        String prefix = "." + target.getFileName() + ".";
        for (int attempt = 1; ; attempt++) {
            Path temp = target.resolveSibling(prefix + randomSuffix() + suffix);
            try {
                return Files.createFile(temp);
            } catch (FileAlreadyExistsException e) {
                if (attempt == TEMP_NAME_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /** A new empty directory beside {@code target} named {@code <name>.tmp-<random>}. */
    static Path createTempDirectory(Path target) throws IOException {
        for (int attempt = 1; ; attempt++) {
            Path temp = target.resolveSibling(target.getFileName() + ".tmp-" + randomSuffix());
            try {
                return Files.createDirectory(temp);
            } catch (FileAlreadyExistsException e) {
                if (attempt == TEMP_NAME_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    private static String randomSuffix() {
        return Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
    }

    /**
     * Flushes {@code dir}'s entries (new names, renames, deletions) to disk, so a rename inside it survives a power
     * loss. Windows cannot open a directory for syncing (NTFS journals its metadata instead); there this does nothing.
     */
    static void syncDirectory(Path dir) throws IOException {
        if (WINDOWS) {
            return;
        }
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /** Deletes {@code path} and, if it is a directory, everything in it; symbolic links are deleted, not followed. */
    static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
                if (failure != null) {
                    throw failure;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
