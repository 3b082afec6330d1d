package dev.conveyor.worker;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.springframework.stereotype.Component;

/** The registry of job types: every {@link JobProcessor} bean, by its type name. */
@Component
public class JobProcessors {

    private final Map<String, JobProcessor> byType;

    public JobProcessors(List<JobProcessor> processors) {
        this.byType = processors.stream().collect(Collectors.toUnmodifiableMap(JobProcessor::type,
                Function.identity()));
    }

    public Optional<JobProcessor> forType(String type) {
        return Optional.ofNullable(byType.get(type));
    }

    public Set<String> types() {
        return byType.keySet();
    }
}
