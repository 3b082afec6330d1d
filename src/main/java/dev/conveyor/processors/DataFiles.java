package dev.conveyor.processors;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;

import dev.conveyor.config.ConveyorProperties;
import dev.conveyor.worker.PermanentJobException;
import org.springframework.stereotype.Component;

/**
 * Files a job payload may name: paths relative to the data directory that stay inside it. Anything that
 * would escape it ({@code ..}, an absolute path, a symlink out) is refused.
 */
@Component
public class DataFiles {

    private final Path root;

    public DataFiles(ConveyorProperties properties) {
        this.root = properties.dataDir().toAbsolutePath().normalize();
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
        if (Path.of(relative).isAbsolute() || !path.startsWith(root)) {
            throw new PermanentJobException("payload 'file' must be a path inside the data directory, relative "
                    + "to it (was '" + relative + "')");
        }
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new PermanentJobException("payload 'file' " + relative + " does not exist in the data directory");
        }
        try {
            if (!path.toRealPath().startsWith(root.toRealPath())) {
                throw new PermanentJobException("payload 'file' " + relative + " leads outside the data directory");
            }
        } catch (java.io.IOException e) {
            throw new PermanentJobException("payload 'file' " + relative + " cannot be read: " + e.getMessage());
        }
        return path;
    }
}
