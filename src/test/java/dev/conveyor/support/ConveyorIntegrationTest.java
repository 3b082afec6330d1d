package dev.conveyor.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.ContextConfiguration;

/**
 * The whole service on a random port, on real PostgreSQL (a schema of its own) and the memory backend, with the
 * test-only job types, metrics served as the running service serves them, a clock a test can move
 * ({@link MutableClock}, back on time after each test), and the settings of {@link TestEnvironment}. Every class
 * with no properties of its own shares one such service (Spring caches the context); docs/testing.md says when a
 * class may have its own.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@CamelSpringBootTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ContextConfiguration(initializers = TestEnvironment.class)
@Import({TestJobTypes.class, MutableClock.Registration.class})
@ExtendWith(MutableClock.ResetAfterEach.class)
// Spring Boot tests turn metrics export off unless asked; the service serves /actuator/prometheus
@AutoConfigureObservability
public @interface ConveyorIntegrationTest {
}
