package dev.conveyor.telemetry;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The windows GET /jobs/stats accepts, and the precise refusal of the rest. */
class StatsWindowTest {

    @Test
    void noWindowIsOneHour() {
        assertThat(StatsWindow.parse(null)).isEqualTo(new StatsWindow("1h", Duration.ofHours(1)));
        assertThat(StatsWindow.parse(" ").length()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void minutesHoursAndDaysAsShortFormsOrIso8601() {
        assertThat(StatsWindow.parse("15m").length()).isEqualTo(Duration.ofMinutes(15));
        assertThat(StatsWindow.parse("1h").length()).isEqualTo(Duration.ofHours(1));
        assertThat(StatsWindow.parse("24h").length()).isEqualTo(Duration.ofDays(1));
        assertThat(StatsWindow.parse("7d").length()).isEqualTo(Duration.ofDays(7));
        assertThat(StatsWindow.parse("PT30M").length()).isEqualTo(Duration.ofMinutes(30));
        assertThat(StatsWindow.parse("p2d").length()).isEqualTo(Duration.ofDays(2));
        assertThat(StatsWindow.parse("31d").length()).isEqualTo(StatsWindow.MAX);
        assertThat(StatsWindow.parse("1m").length()).isEqualTo(StatsWindow.MIN);
        assertThat(StatsWindow.parse("7d").text()).isEqualTo("7d");
    }

    @ParameterizedTest
    @ValueSource(strings = {"7", "1w", "h", "15 m", "-1h", "1.5h", "yesterday", "PT", "P1M"})
    void whatIsNotAWindowIsRefusedSayingWhatIs(String text) {
        assertThatThrownBy(() -> StatsWindow.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("15m, 1h, 24h or 7d").hasMessageContaining("'" + text.trim() + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0m", "PT30S", "32d", "800h", "PT-1H"})
    void aWindowShorterThanAMinuteOrLongerThan31DaysIsRefused(String text) {
        assertThatThrownBy(() -> StatsWindow.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("from 1m to 31d").hasMessageContaining("job_daily_stats");
    }
}
