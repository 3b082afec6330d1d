package dev.conveyor.queue;

import java.nio.file.Path;
import java.util.List;

import dev.conveyor.config.ConveyorProperties;
import dev.conveyor.config.ConveyorProperties.LaneRule;
import dev.conveyor.config.ConveyorProperties.Routing;
import dev.conveyor.job.DueJob;
import dev.conveyor.job.Priority;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LaneRouterTest {

    private static final List<LaneRule> RULES = List.of(
            new LaneRule("bulk", List.of("bulk_import"), null, null),
            new LaneRule("bulk", null, null, 1000L),
            new LaneRule("high", null, "high", null),
            new LaneRule("low", null, "low", null));

    private final LaneRouter router = router("normal", RULES);

    @Test
    void theFirstMatchingRuleWins() {
        assertThat(router.laneFor(job("bulk_import", Priority.HIGH, 10))).isEqualTo("bulk");
        assertThat(router.laneFor(job("csv_validation", Priority.HIGH, 5000))).isEqualTo("bulk");
        assertThat(router.laneFor(job("csv_validation", Priority.HIGH, 10))).isEqualTo("high");
        assertThat(router.laneFor(job("csv_validation", Priority.LOW, 10))).isEqualTo("low");
    }

    @Test
    void noMatchMeansTheDefaultLane() {
        assertThat(router.laneFor(job("csv_validation", Priority.NORMAL, 10))).isEqualTo("normal");
        assertThat(router("low", List.of()).laneFor(job("x", Priority.HIGH, 1))).isEqualTo("low");
    }

    @Test
    void everyConditionOfARuleMustHold() {
        LaneRouter strict = router("normal", List.of(new LaneRule("high", List.of("enrich"), "high", 100L)));
        assertThat(strict.laneFor(job("enrich", Priority.HIGH, 100))).isEqualTo("high");
        assertThat(strict.laneFor(job("enrich", Priority.HIGH, 99))).isEqualTo("normal");
        assertThat(strict.laneFor(job("enrich", Priority.LOW, 100))).isEqualTo("normal");
        assertThat(strict.laneFor(job("other", Priority.HIGH, 100))).isEqualTo("normal");
    }

    @Test
    void anUnknownLaneInConfigurationStopsStartUp() {
        assertThatThrownBy(() -> router("normal", List.of(new LaneRule("fast", null, "high", null))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> router("urgent", List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    private static DueJob job(String type, Priority priority, long size) {
        return new DueJob("job_x", type, priority, size, "acme", "toys", null);
    }

    private static LaneRouter router(String defaultLane, List<LaneRule> rules) {
        return new LaneRouter(new ConveyorProperties(Path.of("data"), Path.of("schemas"), "default", "test", null, null,
                null, null, new Routing(defaultLane, rules), null, null, null, null, null, null, null, null, null));
    }
}
