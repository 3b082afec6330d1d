package dev.conveyor;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.apache.camel.test.spring.junit5.DisableJmx;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The two test tiers (docs/testing.md) are told apart by one rule: a test class tagged {@code slow} runs in
 * {@code ./mvnw verify} (Failsafe), every other one in {@code ./mvnw test} (Surefire). These checks keep the rule
 * from being broken by accident.
 */
class TestTiersTest {

    static List<Class<?>> testClasses;

    @BeforeAll
    static void findTestClasses() throws IOException, URISyntaxException {
        Path classes = Path.of(TestTiersTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (Stream<Path> files = Files.walk(classes)) {
            testClasses = files.map(file -> classes.relativize(file).toString())
                    .filter(name -> (name.endsWith("Test.class") || name.endsWith("IT.class")) && !name.contains("$"))
                    .<Class<?>>map(name -> load(name.substring(0, name.length() - ".class".length()).replace('/', '.')))
                    .toList();
        }
        assertThat(testClasses).as("test classes found under " + classes).hasSizeGreaterThan(50);
    }

    /** Surefire never runs a class named *IT, and Failsafe runs only tagged classes: untagged, it would run nowhere. */
    @Test
    void everyItClassIsTaggedSlowSoFailsafeRunsIt() {
        assertThat(testClasses.stream().filter(type -> type.getSimpleName().endsWith("IT"))).isNotEmpty()
                .filteredOn(type -> !taggedSlow(type)).as("*IT classes without @Tag(\"slow\")").isEmpty();
    }

    /**
     * The fast tier starts one Spring context, shared by every class on {@code @ConveyorIntegrationTest} alone: a
     * class with settings of its own starts another (tens of seconds on a busy machine), so it belongs to the slow
     * tier, unless its settings can join TestEnvironment's shared ones.
     */
    @Test
    void aClassWithAContextOfItsOwnIsTaggedSlow() {
        assertThat(testClasses).filteredOn(type -> hasContextOfItsOwn(type) && !taggedSlow(type))
                .as("classes with @TestPropertySource, @DynamicPropertySource or @DisableJmx but no @Tag(\"slow\")")
                .isEmpty();
    }

    private static boolean hasContextOfItsOwn(Class<?> type) {
        return type.isAnnotationPresent(TestPropertySource.class) || type.isAnnotationPresent(DisableJmx.class)
                || Arrays.stream(type.getDeclaredMethods()).anyMatch(TestTiersTest::isDynamicPropertySource);
    }

    private static boolean isDynamicPropertySource(Method method) {
        return method.isAnnotationPresent(DynamicPropertySource.class);
    }

    private static boolean taggedSlow(Class<?> type) {
        return Arrays.stream(type.getAnnotationsByType(Tag.class)).anyMatch(tag -> tag.value().equals("slow"));
    }

    private static Class<?> load(String className) {
        try {
            return Class.forName(className, false, TestTiersTest.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new AssertionError(className, e);
        }
    }
}
