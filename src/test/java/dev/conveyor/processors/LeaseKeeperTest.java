package dev.conveyor.processors;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The heartbeat kept while the warehouse merge runs: it beats, stops at the first failed beat, and stops on close. */
class LeaseKeeperTest {

    @Test
    void beatsUntilClosedAndNeverAfter() {
        AtomicInteger beats = new AtomicInteger();
        int atClose;
        try (LeaseKeeper keeper = LeaseKeeper.every(Duration.ofMillis(10), beats::incrementAndGet)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> beats.get() >= 3);
        }
        atClose = beats.get();
        // a beat already running at close may still land; none is started after it
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2))
                .until(() -> beats.get() <= atClose + 1);
    }

    @Test
    void aBeatThatFailsIsTheLast() {
        AtomicInteger beats = new AtomicInteger();
        try (LeaseKeeper keeper = LeaseKeeper.every(Duration.ofMillis(10), () -> {
            if (beats.incrementAndGet() == 2) {
                throw new IllegalStateException("the job was cancelled");
            }
        })) {
            await().atMost(Duration.ofSeconds(10)).until(() -> beats.get() >= 2);
            await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> beats.get() == 2);
        }
        assertThat(beats.get()).isEqualTo(2);
    }
}
