package dev.conveyor.validation;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;

import static org.assertj.core.api.Assertions.assertThat;

class NumbersTest {

    @ParameterizedTest
    @CsvSource({"0,1", "42,1", "-3,1", "+3,1", "12.50,2", "0.01,2", "-1.0,2", "abc,0", "1e3,0", ".5,0", "12.,0",
            "'1,000',0", "-,0", "+,0", "1.2.3,0", "' 1',0", "1-,0", "'',0", "١٢,0"})
    void shape(String text, int expected) {
        assertThat(Numbers.shape(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "12.50", "-0.01", "+7", "123456789012345678", "1234567890123456789",
            "-99999999999999999999.99", "0.000000000000000000001", "007"})
    void toBigDecimalEqualsTheSlowPath(String text) {
        BigDecimal fast = Numbers.toBigDecimal(text);
        assertThat(fast).isEqualTo(new BigDecimal(text));   // equals: same value AND same scale
    }
}
