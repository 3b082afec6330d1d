package dev.conveyor.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

import static org.assertj.core.api.Assertions.assertThat;

class RoutesByNameTest {

    private final PathMatchingResourcePatternResolver resolver = new PathMatchingResourcePatternResolver();

    @Test
    void theJarsRoutesAreNamedOneByOneFromTheClasspath() throws IOException {
        List<String> expected;
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            expected = files.map(file -> file.getFileName().toString()).filter(name -> name.endsWith(".camel.yaml"))
                    .sorted().map(name -> "classpath:routes/" + name).toList();
        }
        assertThat(expected).contains("classpath:routes/workers.camel.yaml");

        assertThat(RoutesByName.byName("classpath:routes/*.camel.yaml", resolver)).isEqualTo(expected);
    }

    @Test
    void aFoldersRoutesAreNamedWithTheFolderAndOnlyThoseThePatternMatches(@TempDir Path folder) throws IOException {
        Files.writeString(folder.resolve("b.camel.yaml"), "[]");
        Files.writeString(folder.resolve("a.camel.yaml"), "[]");
        Files.writeString(folder.resolve("notes.txt"), "not a route");

        assertThat(RoutesByName.byName("file:" + folder + "/*.camel.yaml", resolver))
                .containsExactly("file:" + folder + "/a.camel.yaml", "file:" + folder + "/b.camel.yaml");
    }

    @Test
    void aPatternThatFindsNothingOrHasAWildcardFolderIsLeftToCamel(@TempDir Path empty) {
        assertThat(RoutesByName.byName("file:" + empty + "/*.camel.yaml", resolver))
                .containsExactly("file:" + empty + "/*.camel.yaml");
        assertThat(RoutesByName.byName("classpath:routes/**/*.camel.yaml", resolver))
                .containsExactly("classpath:routes/**/*.camel.yaml");
        assertThat(RoutesByName.byName("classpath:routes/workers.camel.yaml", resolver))
                .containsExactly("classpath:routes/workers.camel.yaml");
    }

    @Test
    void theSettingCamelReadsBecomesTheNamesOfEveryPatternOfIt(@TempDir Path folder) throws IOException {
        Files.writeString(folder.resolve("extra.camel.yaml"), "[]");
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("test", Map.of(RoutesByName.PATTERN,
                "classpath:routes/workers.camel.yaml, file:" + folder + "/*.camel.yaml")));

        new RoutesByName().postProcessEnvironment(environment, new SpringApplication());

        assertThat(environment.getProperty(RoutesByName.PATTERN))
                .isEqualTo("classpath:routes/workers.camel.yaml,file:" + folder + "/extra.camel.yaml");
    }
}
