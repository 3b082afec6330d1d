package dev.conveyor.inbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.conveyor.config.ConveyorProperties;
import dev.conveyor.validation.RuleSetRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.stereotype.Component;

/**
 * Makes the inbox's folders for the marketplaces and categories the rule sets name ({@code mercado_livre/
 * electronics/}), so a user's first {@code cp listings.csv inbox/mercado_livre/electronics/} lands where the
 * inbox looks, instead of failing or making a file named {@code electronics}. Folders only: a user may still make
 * folders for listings no rule set names (those are checked against the default rule set).
 */
@Component
public class InboxFolders implements InitializingBean {

    private static final Logger log = LoggerFactory.getLogger(InboxFolders.class);

    private final Path inbox;
    private final boolean enabled;
    private final RuleSetRepository rules;

    public InboxFolders(ConveyorProperties properties, RuleSetRepository rules) {
        this.inbox = properties.inbox().dir().toAbsolutePath().normalize();
        this.enabled = properties.inbox().enabled();
        this.rules = rules;
    }

    @Override
    public void afterPropertiesSet() throws IOException {
        if (!enabled) {
            return;
        }
        Files.createDirectories(inbox);
        List<String> made = new ArrayList<>();
        for (String key : rules.keys()) {
            String[] parts = key.split("/");
            if (parts.length != 2 || RuleSetRepository.DEFAULT.equals(parts[0])) {
                continue;
            }
            Path folder = RuleSetRepository.DEFAULT.equals(parts[1]) ? inbox.resolve(parts[0])
                    : inbox.resolve(parts[0]).resolve(parts[1]);
            // never through a link: a folder of the inbox that is a link is the user's to sort out (the inbox
            // refuses to read through it)
            if (!folder.normalize().startsWith(inbox) || Files.isSymbolicLink(inbox.resolve(parts[0]))
                    || Files.exists(folder, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            Files.createDirectories(folder);
            made.add(inbox.relativize(folder) + "/");
        }
        if (!made.isEmpty()) {
            log.info("Inbox folders for the rule sets made in {}: {}", inbox, String.join(", ", made));
        }
    }
}
