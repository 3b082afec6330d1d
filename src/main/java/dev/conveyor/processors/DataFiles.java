package dev.conveyor.processors;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import dev.conveyor.config.ConveyorProperties;
import dev.conveyor.worker.PermanentJobException;
import org.springframework.stereotype.Component;

/**
 * Files a job payload may name: a path relative to the data directory, or an absolute path inside the data
 * directory or the inbox. Anything that would escape them ({@code ..}, another absolute path, a symlink
 * out) is refused.
 */
@Component
public class DataFiles {

    private final Path root;
    private final List<Path> roots;

    public DataFiles(ConveyorProperties properties) {
        this.root = properties.dataDir().toAbsolutePath().normalize();
        this.roots = List.of(root, properties.inbox().dir().toAbsolutePath().normalize());
    }

    /** Why the path cannot be used, or empty when it names a readable file inside the data directory. */
    public Optional<String> check(String relative) {
        try {
            resolve(relative);
            return Optional.empty();
        } catch (PermanentJobException e) {
            return Optional.of(e.getMessage());
        }
    }

    public Path resolve(String relative) {
        Path path;
        try {
            path = root.resolve(relative).normalize();
        } catch (InvalidPathException e) {
            throw new PermanentJobException("payload 'file' is not a valid path: " + relative);
        }
        Path inside = roots.stream().filter(path::startsWith).findFirst().orElseThrow(() ->
                new PermanentJobException("payload 'file' must be a path inside the data directory, relative "
                        + "to it (was '" + relative + "')"));
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new PermanentJobException("payload 'file' " + relative + " does not exist in the data directory");
        }
        try {
            if (!path.toRealPath().startsWith(inside.toRealPath())) {
                throw new PermanentJobException("payload 'file' " + relative + " leads outside the data directory");
            }
        } catch (java.io.IOException e) {
            throw new PermanentJobException("payload 'file' " + relative + " cannot be read: " + e.getMessage());
        }
        return path;
    }
}
