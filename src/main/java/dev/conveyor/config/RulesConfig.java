package dev.conveyor.config;

import java.nio.file.Path;

import dev.conveyor.validation.RuleSetRepository;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The validation rule sets: the built-in ones, overridden by those in {@code conveyor.validation.rules-dir}. */
@Configuration(proxyBeanMethods = false)
public class RulesConfig {

    @Bean
    public RuleSetRepository ruleSetRepository(ConveyorProperties properties) {
        String dir = properties.validation().rulesDir();
        return RuleSetRepository.load(dir == null || dir.isBlank() ? null : Path.of(dir));
    }
}
