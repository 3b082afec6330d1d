package dev.conveyor.queue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.conveyor.config.QueueProperties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * With the Kafka backend, makes sure every lane has its topic with the configured partitions before the
 * routes start. A broker that cannot be reached is logged, not fatal: jobs wait in the table meanwhile.
 */
@Component
@ConditionalOnProperty(name = "conveyor.queue.backend", havingValue = "kafka")
public class KafkaTopics implements LaneProvisioner {

    private static final Logger log = LoggerFactory.getLogger(KafkaTopics.class);
    static final List<String> LANES = List.of("high", "normal", "low", "bulk", "dead-letter");

    private final String brokers;
    private final String prefix;
    private final int partitions;
    private final short replication;
    private volatile boolean provisioned;

    public KafkaTopics(QueueProperties queue) {
        this.brokers = queue.kafka().brokers();
        this.prefix = queue.kafka().topicPrefix();
        this.partitions = queue.kafka().partitions();
        this.replication = queue.kafka().replicationFactor();
        provision();
    }

    /** Creates the lane topics that are missing; a no-op once they all exist. */
    @Override
    public synchronized void provision() {
        if (provisioned) {
            return;
        }
        log.debug("checking the lane topics on {}", brokers);
        try (Admin admin = admin(brokers)) {
            Set<String> existing = new HashSet<>(admin.listTopics().names().get(10, TimeUnit.SECONDS));
            List<NewTopic> missing = LANES.stream().map(lane -> prefix + lane).filter(t -> !existing.contains(t))
                    .map(topic -> new NewTopic(topic, partitions, replication)).toList();
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(10, TimeUnit.SECONDS);
                log.info("created Kafka topics {} with {} partitions", missing.stream().map(NewTopic::name).toList(),
                        partitions);
            }
            provisioned = true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                provisioned = true;
            } else {
                log.warn("could not check or create the lane topics on {}: {}", brokers, e.getCause().toString());
            }
        } catch (TimeoutException e) {
            log.warn("Kafka at {} did not answer; jobs stay QUEUED in the table until it does", brokers);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether a broker answers within the timeout. */
    public boolean reachable(long timeoutMs) {
        try (Admin admin = admin(brokers)) {
            admin.describeCluster().nodes().get(timeoutMs, TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static Admin admin(String brokers) {
        return Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 8000));
    }
}
