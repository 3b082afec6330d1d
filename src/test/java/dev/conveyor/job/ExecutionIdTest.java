package dev.conveyor.job;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An attempt's job_execution_id is made faster than with {@link UUID#nameUUIDFromBytes}, and must stay the very same
 * string: events written before and after the change are grouped by it.
 */
class ExecutionIdTest {

    @Test
    void isTheNameBasedUuidOfJobAndAttemptWithoutDashes() {
        for (int i = 0; i < 2_000; i++) {
            String name = "job_" + UUID.randomUUID().toString().replace("-", "") + "#" + (i % 7 + 1);
            byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
            assertThat(JobEvents.nameUuidHex(bytes))
                    .isEqualTo(UUID.nameUUIDFromBytes(bytes).toString().replace("-", ""));
        }
    }
}
