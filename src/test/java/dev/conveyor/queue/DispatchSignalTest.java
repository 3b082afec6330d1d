package dev.conveyor.queue;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dispatcher's wake-ups against Camel's graceful stop. The dispatcher's consumer (a seda queue) ends only when a
 * poll finds its queue empty; a rate limit wakes the dispatcher every few milliseconds, so before the signal fell
 * silent on stopping, every graceful stop of a service with a rate limit waited out its whole timeout and was forced.
 */
class DispatchSignalTest {

    private final CamelContext camel = new DefaultCamelContext();
    private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void tearDown() throws Exception {
        ticks.shutdownNow();
        camel.close();
    }

    @Test
    void aGracefulStopIsNotHeldByWakeUpsThatKeepComing() throws Exception {
        DispatchSignal signal = new DispatchSignal(camel.createProducerTemplate());
        AtomicInteger rounds = new AtomicInteger();
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                // the dispatcher route's shape: a round per wake-up, which lets the next one through
                from(DispatchSignal.WAKE_ENDPOINT).routeId("dispatcher").process(exchange -> {
                    signal.roundStarted();
                    rounds.incrementAndGet();
                });
            }
        });
        camel.getShutdownStrategy().setTimeout(20);
        camel.start();
        // as RateLimitTicker does, and on past the start of the stop
        ticks.scheduleAtFixedRate(() -> {
            try {
                signal.wake();
            } catch (RuntimeException stopped) {
                // the producer refuses once Camel has stopped
            }
        }, 0, 10, TimeUnit.MILLISECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> rounds.get() >= 5);

        camel.stop();

        assertThat(camel.getShutdownStrategy().hasTimeoutOccurred())
                .as("the stop ran out its timeout and forced the routes").isFalse();
    }
}
