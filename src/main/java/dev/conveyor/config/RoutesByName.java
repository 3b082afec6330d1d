package dev.conveyor.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.core.io.support.ResourcePatternResolver;

/**
 * Hands Camel the route files by name rather than as a wildcard ({@code camel.main.routes-include-pattern},
 * {@code ${ROUTES_DIR}/*.camel.yaml}): the files are found here, with Spring's resolver, and each is named with the
 * folder the pattern gave, {@code classpath:routes/workers.camel.yaml} or {@code file:/path/workers.camel.yaml}.
 * Inside the packaged jar Camel looks for a classpath wildcard by reading every jar nested in conveyor.jar entry by
 * entry, about 5 s of CPU at every start (docs/testing.md); Spring finds the same files from the jar's index. A
 * pattern whose folder has a wildcard, or that finds nothing, is left to Camel as it is.
 */
public class RoutesByName implements EnvironmentPostProcessor {

    static final String PATTERN = "camel.main.routes-include-pattern";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        String pattern = environment.getProperty(PATTERN);
        if (pattern == null || !pattern.contains("*")) {
            return;
        }
        ResourcePatternResolver resolver = new PathMatchingResourcePatternResolver(application.getClassLoader());
        List<String> named = new ArrayList<>();
        for (String part : pattern.split(",")) {
            named.addAll(byName(part.trim(), resolver));
        }
        environment.getPropertySources().addFirst(new MapPropertySource("conveyor-routes-by-name",
                Map.of(PATTERN, String.join(",", named))));
    }

    /** The files one pattern finds, each named with the pattern's folder; the pattern itself when it cannot say. */
    static List<String> byName(String pattern, ResourcePatternResolver resolver) {
        int slash = pattern.lastIndexOf('/');
        String folder = pattern.substring(0, slash + 1);
        if (!pattern.contains("*") || folder.contains("*") || folder.contains("?")) {
            return List.of(pattern);
        }
        Resource[] found;
        try {
            // every classpath root, as Camel's own look-up reads them
            found = resolver.getResources(pattern.startsWith("classpath:")
                    ? "classpath*:" + pattern.substring("classpath:".length()) : pattern);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the routes of " + pattern, e);
        }
        List<String> names = java.util.Arrays.stream(found)
                .map(Resource::getFilename)
                .filter(Objects::nonNull)
                .distinct()
                .sorted()
                .map(name -> folder + name)
                .toList();
        return names.isEmpty() ? List.of(pattern) : names;
    }
}
