package dev.conveyor.support;

import dev.conveyor.config.ConveyorProperties;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * What almost every test of the running service starts from: its port, an {@link Api} that calls it as the admin,
 * its database and its settings. Tens of classes wrote these fields out again; they extend this class instead.
 * <p>
 * It holds fields only and shapes no Spring context: each subclass still carries {@link ConveyorIntegrationTest}
 * (and any {@code @Tag("slow")} or properties of its own) itself, so which context a class gets is read on the class,
 * as before. JUnit runs {@link #callTheServiceAsAdmin()} before a subclass's own {@code @BeforeEach} methods.
 */
public abstract class RunningServiceTest {

    @LocalServerPort
    protected int port;

    @Autowired
    protected JdbcTemplate jdbc;

    @Autowired
    protected ConveyorProperties properties;

    /** Calls the service as the test services' admin (TestKeys.ADMIN); a new one for every test. */
    protected Api api;

    // named for what it does, not setUp(): a subclass's own setUp() would otherwise override it and leave api null
    @BeforeEach
    void callTheServiceAsAdmin() {
        api = new Api(port);
    }
}
