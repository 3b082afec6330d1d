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

    @ParameterizedTest
    @CsvSource({"1234567890,10,false", "12345678901,10,true", "-12345.67890,10,false", "-12345.678901,10,true",
            "+1234567890.,10,false", "abcdefghijklmnop,10,true", "'',10,false"})
    void tooManyDigitsCountsDigitsAndRefusesLongTextOnItsLength(String text, int max, boolean expected) {
        assertThat(Numbers.tooManyDigits(text, max)).isEqualTo(expected);
    }

    @org.junit.jupiter.api.Test
    void toBigDecimalRefusesTextLongerThanAnyDigitCapInsteadOfParsingIt() {
        String huge = "9".repeat(600_000);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Numbers.toBigDecimal(huge))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("600000 characters");
    }
}
