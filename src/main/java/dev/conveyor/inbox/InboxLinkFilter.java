package dev.conveyor.inbox;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileFilter;
import org.springframework.stereotype.Component;

/**
 * The inbox route's file filter. camel-file has no option to stop following symbolic links: it lists with
 * {@code File.isDirectory()}, which follows them, so a linked folder would be walked like a real one. Camel
 * asks this filter about every entry, folders included, before it descends or reads: a link is refused here
 * (and handed to {@link InboxIntake#refuseLink}, which moves the link itself to {@code .failed/}), so Camel
 * never descends into a linked folder nor hands a linked file to the route. A regular file is taken only when
 * {@link InboxIntake#canTake} finds it and the folders it would be moved to inside the inbox; anything else stays
 * where it is, logged once.
 */
@Component("inboxLinkFilter")
public class InboxLinkFilter implements GenericFileFilter<File> {

    private final InboxIntake intake;

    public InboxLinkFilter(InboxIntake intake) {
        this.intake = intake;
    }

    @Override
    public boolean accept(GenericFile<File> file) {
        Path path = file.getFile().toPath();
        if (Files.isSymbolicLink(path)) {
            intake.refuseLink(path);
            return false;
        }
        return Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS) || intake.canTake(path);
    }
}
