package dev.conveyor.schedule;

import java.time.Instant;
import java.time.ZoneId;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CronTest {

    private static final ZoneId UTC = ZoneId.of("UTC");
    private static final Instant NOW = Instant.parse("2026-03-10T10:17:42Z");

    @Test
    void fiveFieldsFireAtTheStartOfTheirMinute() {
        assertThat(Cron.parse("30 2 * * *").next(NOW, UTC)).isEqualTo(Instant.parse("2026-03-11T02:30:00Z"));
        assertThat(Cron.parse("*/15 * * * MON-FRI").next(NOW, UTC)).isEqualTo(Instant.parse("2026-03-10T10:30:00Z"));
    }

    @Test
    void sixFieldsHaveSecondsFirst() {
        assertThat(Cron.parse("*/10 * * * * *").next(NOW, UTC)).isEqualTo(Instant.parse("2026-03-10T10:17:50Z"));
    }

    @Test
    void macrosAreRead() {
        assertThat(Cron.parse("@daily").next(NOW, UTC)).isEqualTo(Instant.parse("2026-03-11T00:00:00Z"));
        assertThat(Cron.parse("@hourly").next(NOW, UTC)).isEqualTo(Instant.parse("2026-03-10T11:00:00Z"));
        assertThat(Cron.parse("@Weekly").text()).isEqualTo("@Weekly");
    }

    @Test
    void theZoneDecidesWhenALocalTimeIs() {
        // 02:00 in New York on 10 March 2026 (EDT, UTC-4)
        assertThat(Cron.parse("0 2 * * *").next(NOW, ZoneId.of("America/New_York")))
                .isEqualTo(Instant.parse("2026-03-11T06:00:00Z"));
    }

    @Test
    void aBadFieldIsNamed() {
        assertThatThrownBy(() -> Cron.parse("61 * * * *")).hasMessageStartingWith("minute field '61'");
        assertThatThrownBy(() -> Cron.parse("0 0 * 13 *")).hasMessageStartingWith("month field '13'");
        assertThatThrownBy(() -> Cron.parse("0 0 * * XYZ")).hasMessageContaining("day-of-week field 'XYZ'");
        assertThatThrownBy(() -> Cron.parse("99 * * * * *")).hasMessageStartingWith("second field '99'");
        assertThatThrownBy(() -> Cron.parse("0 0 40 * *")).hasMessageStartingWith("day-of-month field '40'");
    }

    @Test
    void aWrongNumberOfFieldsOrAnUnknownMacroIsSaidSo() {
        assertThatThrownBy(() -> Cron.parse("* * * *")).hasMessageContaining("has 4 fields");
        assertThatThrownBy(() -> Cron.parse("* * * * * * *")).hasMessageContaining("has 7 fields");
        assertThatThrownBy(() -> Cron.parse("@fortnightly")).hasMessageContaining("not a macro");
        assertThatThrownBy(() -> Cron.parse(" ")).hasMessageContaining("is required");
    }
}
