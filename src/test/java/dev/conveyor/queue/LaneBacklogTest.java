package dev.conveyor.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.config.QueueBackend;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What counts as the in-memory backlog: jobs in the lanes' queues (each job of a set), each queue once, nothing else. */
class LaneBacklogTest {

    private CamelContext camel;
    private ProducerTemplate producer;

    @BeforeEach
    void setUp() {
        camel = new DefaultCamelContext();
        camel.start();
        producer = camel.createProducerTemplate();
        // as in application.yaml: each lane is published to and consumed from by two endpoints of one queue
        for (String lane : new String[] {"high", "normal", "low", "bulk"}) {
            camel.getEndpoint("seda:conveyor." + lane + "?blockWhenFull=true&offerTimeout=30000");
            camel.getEndpoint("seda:conveyor." + lane + "?concurrentConsumers=4");
        }
        camel.getEndpoint("seda:conveyor.dead-letter?size=100000&discardWhenFull=true");
        camel.getEndpoint("seda:conveyor.events.log?size=10000");
    }

    @AfterEach
    void tearDown() {
        camel.stop();
    }

    @Test
    void countsEachLaneQueueOnceAndNeitherDeadLettersNorEventSinkQueues() {
        LaneBacklog backlog = new LaneBacklog(camel, QueueBackend.MEMORY);
        producer.sendBody("seda:conveyor.normal?blockWhenFull=true&offerTimeout=30000", "job_1");
        producer.sendBody("seda:conveyor.normal?blockWhenFull=true&offerTimeout=30000", "job_2");
        producer.sendBody("seda:conveyor.high?blockWhenFull=true&offerTimeout=30000", "job_3");
        producer.sendBody("seda:conveyor.dead-letter?size=100000&discardWhenFull=true", "job_4");
        for (int i = 0; i < 5; i++) {
            producer.sendBody("seda:conveyor.events.log?size=10000", "{\"event_id\":\"" + i + "\"}");
        }
        assertThat(backlog.pending()).isEqualTo(3);
        // asked again (the lanes are cached now), it still follows the queues
        producer.sendBody("seda:conveyor.bulk?blockWhenFull=true&offerTimeout=30000", "job_5");
        assertThat(backlog.pending()).isEqualTo(4);
        // a message of a set counts each of its jobs
        producer.sendBody("seda:conveyor.normal?blockWhenFull=true&offerTimeout=30000",
                java.util.List.of("job_6", "job_7", "job_8"));
        assertThat(backlog.pending()).isEqualTo(7);
    }

    @Test
    void durableBackendsHoldTheirOwnBacklog() {
        producer.sendBody("seda:conveyor.normal?blockWhenFull=true&offerTimeout=30000", "job_1");
        assertThat(new LaneBacklog(camel, QueueBackend.KAFKA).pending()).isZero();
    }
}
