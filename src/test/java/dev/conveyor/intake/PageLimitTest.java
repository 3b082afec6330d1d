package dev.conveyor.intake;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** ?limit= is parsed in one place: from 1 to 500, 50 when not given. */
class PageLimitTest {

    @Test
    void takesAWholeNumberFromOneToFiveHundred() {
        assertThat(PageLimit.valueOf("1").value()).isEqualTo(1);
        assertThat(PageLimit.valueOf(" 500 ").value()).isEqualTo(500);
        assertThat(PageLimit.valueOf(PageLimit.DEFAULT).value()).isEqualTo(50);
    }

    @Test
    void refusesAnythingElseAsABadRequest() {
        for (String bad : new String[] {"0", "501", "-3", "abc", "", "1.5", "99999999999"}) {
            assertThatThrownBy(() -> PageLimit.valueOf(bad)).as(bad).isInstanceOf(ProblemException.class)
                    .hasMessage("'limit' must be an integer from 1 to 500")
                    .satisfies(e -> assertThat(((ProblemException) e).status()).isEqualTo(400));
        }
    }
}
