package dev.conveyor.config;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The ready line names DB_URL's server by host, port and database, never by its credentials. */
class ReadyLineTest {

    @Test
    void describesDbUrlWithoutUserOrPassword() {
        String described = ReadyLine.describe("jdbc:postgresql://db.example:6543/conveyor?user=app&password=s3cret");

        assertThat(described).isEqualTo("db.example:6543/conveyor").doesNotContain("s3cret").doesNotContain("app");
    }

    @Test
    void fillsInTheDefaultPortAndListsEveryHostOfAFailoverUrl() {
        assertThat(ReadyLine.describe("jdbc:postgresql://localhost/test")).isEqualTo("localhost:5432/test");
        assertThat(ReadyLine.describe("jdbc:postgresql://a:5432,b:5433/jobs?targetServerType=primary"))
                .isEqualTo("a:5432,b:5433/jobs");
    }
}
