package dev.conveyor.worker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

import dev.conveyor.job.JobOutcome;
import dev.conveyor.validation.CsvHeaderException;
import org.junit.jupiter.api.Test;
import org.springframework.dao.QueryTimeoutException;

import static org.assertj.core.api.Assertions.assertThat;

class ErrorClassifierTest {

    private final ErrorClassifier classifier = new ErrorClassifier();

    @Test
    void passingConditionsAreTransient() {
        assertThat(kind(new IOException("reset"))).isEqualTo(ErrorKind.TRANSIENT);
        assertThat(kind(new ConnectException("refused"))).isEqualTo(ErrorKind.TRANSIENT);
        assertThat(kind(new HttpTimeoutException("slow"))).isEqualTo(ErrorKind.TRANSIENT);
        assertThat(kind(new TimeoutException())).isEqualTo(ErrorKind.TRANSIENT);
        assertThat(kind(new SQLTransientConnectionException("pool"))).isEqualTo(ErrorKind.TRANSIENT);
        assertThat(kind(new QueryTimeoutException("statement timeout"))).isEqualTo(ErrorKind.TRANSIENT);
        assertThat(kind(new TransientJobException("busy"))).isEqualTo(ErrorKind.TRANSIENT);
    }

    @Test
    void theSqlStateDecidesForPlainSqlExceptions() {
        assertThat(kind(new SQLException("deadlock", "40P01"))).isEqualTo(ErrorKind.TRANSIENT);
        assertThat(kind(new SQLException("connection lost", "08006"))).isEqualTo(ErrorKind.TRANSIENT);
        assertThat(kind(new SQLException("out of memory", "53200"))).isEqualTo(ErrorKind.TRANSIENT);
        assertThat(kind(new SQLException("bad integer", "22P02"))).isEqualTo(ErrorKind.PERMANENT);
        assertThat(kind(new SQLException("duplicate key", "23505"))).isEqualTo(ErrorKind.PERMANENT);
    }

    @Test
    void badInputAndBugsArePermanent() {
        assertThat(kind(new PermanentJobException("no such listing"))).isEqualTo(ErrorKind.PERMANENT);
        assertThat(kind(new CsvHeaderException("wrong header", java.util.List.of("price"), java.util.List.of(),
                java.util.List.of("sku"), java.util.List.of("sku")))).isEqualTo(ErrorKind.PERMANENT);
        assertThat(kind(new NullPointerException())).isEqualTo(ErrorKind.PERMANENT);
        assertThat(kind(new IllegalStateException("broken"))).isEqualTo(ErrorKind.PERMANENT);
    }

    @Test
    void theCauseChainIsWalkedAndTheFirstKnownTypeDecides() {
        assertThat(kind(new UncheckedIOException(new IOException("reset")))).isEqualTo(ErrorKind.TRANSIENT);
        assertThat(kind(new RuntimeException("wrapped", new SQLException("deadlock", "40P01"))))
                .isEqualTo(ErrorKind.TRANSIENT);
        assertThat(kind(new PermanentJobException("bad", new IOException("reset")))).isEqualTo(ErrorKind.PERMANENT);
    }

    @Test
    void aJobTypeCanOverrideTheTable() {
        JobProcessor strict = new JobProcessor() {
            @Override
            public String type() {
                return "strict";
            }

            @Override
            public JobOutcome process(JobContext context) {
                return JobOutcome.success(java.util.Map.of());
            }

            @Override
            public Optional<ErrorKind> classify(Throwable failure) {
                return failure instanceof IOException ? Optional.of(ErrorKind.PERMANENT) : Optional.empty();
            }
        };
        assertThat(classifier.classify(new IOException("reset"), strict)).isEqualTo(ErrorKind.PERMANENT);
        assertThat(classifier.classify(new TimeoutException(), strict)).isEqualTo(ErrorKind.TRANSIENT);
    }

    private ErrorKind kind(Throwable failure) {
        return classifier.classify(failure, null);
    }
}
