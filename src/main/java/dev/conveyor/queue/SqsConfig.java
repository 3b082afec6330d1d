package dev.conveyor.queue;

import java.net.URI;

import dev.conveyor.config.QueueProperties;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.SqsClientBuilder;

/**
 * With the SQS backend: the SqsClient every lane endpoint uses (Camel picks the single bean up), pointed at
 * {@code SQS_ENDPOINT} when set (ElasticMQ, LocalStack), else at AWS with the standard credentials chain;
 * and, with {@code SQS_EMBEDDED=true}, an ElasticMQ started inside the service; and the batched deletion of the
 * messages of finished jobs.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "conveyor.queue.backend", havingValue = "sqs")
public class SqsConfig {

    private static final Logger log = LoggerFactory.getLogger(SqsConfig.class);

    /** The in-process ElasticMQ, when asked for; nothing otherwise. */
    public record EmbeddedSqs(SQSRestServer server, String endpoint) implements AutoCloseable {
        @Override
        public void close() {
            if (server != null) {
                server.stopAndWait();
            }
        }
    }

    @Bean(destroyMethod = "close")
    public EmbeddedSqs embeddedSqs(QueueProperties queue) {
        boolean embedded = queue.sqs().embedded();
        int port = queue.sqs().embeddedPort();
        if (!embedded) {
            return new EmbeddedSqs(null, null);
        }
        SQSRestServer server = SQSRestServerBuilder.withPort(port).withInterface("localhost").start();
        int actual = server.waitUntilStarted().localAddress().getPort();
        log.info("started an embedded ElasticMQ (SQS API) at http://localhost:{}", actual);
        return new EmbeddedSqs(server, "http://localhost:" + actual);
    }

    @Bean(destroyMethod = "close")
    public SqsClient sqsClient(EmbeddedSqs embedded, QueueProperties queue) {
        String endpoint = queue.sqs().endpoint();
        String region = queue.sqs().region();
        String override = embedded.endpoint() != null ? embedded.endpoint() : endpoint;
        SqsClientBuilder builder = SqsClient.builder().region(Region.of(region));
        if (override != null && !override.isBlank()) {
            builder.endpointOverride(URI.create(override)).credentialsProvider(localCredentials());
        } else {
            builder.credentialsProvider(DefaultCredentialsProvider.builder().build());
        }
        return builder.build();
    }

    /** The batched deletion of finished jobs' messages (see {@link QueueAcknowledger}). */
    @Bean
    public SqsDeletes sqsDeletes(SqsClient sqsClient, QueueProperties queue) {
        return new SqsDeletes(sqsClient, queue.sqs());
    }

    /** ElasticMQ and LocalStack accept any key; real ones from the environment win when present. */
    private static AwsCredentialsProvider localCredentials() {
        String key = System.getenv("AWS_ACCESS_KEY_ID");
        String secret = System.getenv("AWS_SECRET_ACCESS_KEY");
        return key != null && secret != null ? DefaultCredentialsProvider.builder().build()
                : StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
    }
}
