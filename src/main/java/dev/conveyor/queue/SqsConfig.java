package dev.conveyor.queue;

import java.net.URI;

import dev.conveyor.config.NoEmbeddedSqsException;
import dev.conveyor.config.QueueProperties;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
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

    /** Present in the default build (target/conveyor.jar), left out of conveyor-production.jar. */
    static final String ELASTICMQ = "org.elasticmq.rest.sqs.SQSRestServerBuilder";

    /**
     * The in-process ElasticMQ, when asked for; nothing otherwise. It holds no ElasticMQ type, so it loads in a build
     * without ElasticMQ.
     */
    public record EmbeddedSqs(AutoCloseable server, String endpoint) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            if (server != null) {
                server.close();
            }
        }
    }

    /** {@link EmbeddedElasticMq}, the one class that uses ElasticMQ's, is loaded only when this method starts one. */
    @Bean(destroyMethod = "close")
    @ConditionalOnClass(name = ELASTICMQ)
    public EmbeddedSqs embeddedSqs(QueueProperties queue) {
        boolean embedded = queue.sqs().embedded();
        int port = queue.sqs().embeddedPort();
        if (!embedded) {
            return new EmbeddedSqs(null, null);
        }
        return EmbeddedElasticMq.start(port);
    }

    /** A build without ElasticMQ (conveyor-production.jar): SQS_EMBEDDED=true cannot be honoured. */
    @Bean(name = "embeddedSqs", destroyMethod = "close")
    @ConditionalOnMissingClass(ELASTICMQ)
    public EmbeddedSqs noEmbeddedSqs(QueueProperties queue) {
        if (queue.sqs().embedded()) {
            throw new NoEmbeddedSqsException();
        }
        return new EmbeddedSqs(null, null);
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
