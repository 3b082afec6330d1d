package dev.conveyor.inbox;

import java.nio.file.Files;
import java.nio.file.Path;

import dev.conveyor.config.ConveyorProperties;
import dev.conveyor.support.ConveyorIntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/** A new inbox already has the folders of the listings its rule sets name, so the README's cp works as written. */
@ConveyorIntegrationTest
class InboxFoldersTest {

    @Autowired
    ConveyorProperties properties;

    @Test
    void theRuleSetsListingsHaveTheirFolders() {
        Path inbox = properties.inbox().dir();

        assertThat(inbox.resolve("mercado_livre").resolve("electronics")).isDirectory();
        assertThat(inbox.resolve("default")).doesNotExist();
        assertThat(Files.isSymbolicLink(inbox.resolve("mercado_livre"))).isFalse();
    }
}
