package dev.conveyor.config;

import org.springframework.boot.context.ApplicationPidFileWriter;
import org.springframework.boot.context.event.ApplicationReadyEvent;

/**
 * Writes the service's pid to {@code spring.pid.file} (<data-dir>/conveyor.pid), so it is stopped by its pid
 * rather than by a name other processes share; removed again at a clean stop. Written once the service is ready,
 * not at start: a second service started by mistake on the same DATA_DIR fails first and must not overwrite the
 * running one's pid. Registered in META-INF/spring.factories.
 */
public class PidFile extends ApplicationPidFileWriter {

    public PidFile() {
        setTriggerEventType(ApplicationReadyEvent.class);
    }
}
