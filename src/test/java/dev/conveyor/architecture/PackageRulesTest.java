package dev.conveyor.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The package rules of docs/architecture.md ("Packages"), checked on the compiled main classes: no package cycle;
 * no package depends on one above it; the domain services know nothing of the service or of Camel.
 */
class PackageRulesTest {

    static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.conveyor");

    @Test
    void noPackageDependsOnAPackageThatDependsOnIt() {
        slices().matching("dev.conveyor.(*)..").should().beFreeOfCycles().check(MAIN);
    }

    /**
     * From the bottom: the domain services; configuration; the job core (the lifecycle and its events); what serves
     * it (queues, telemetry, security, the worker); the processors the worker runs; the ways jobs come in (API,
     * inbox, SQL table, schedules) and the maintenance that cleans up after them. A layer uses only itself and those below.
     */
    @Test
    void noPackageDependsOnAPackageAboveIt() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("domain").definedBy("dev.conveyor.validation..", "dev.conveyor.warehouse..")
                .layer("configuration").definedBy("dev.conveyor.config..")
                .layer("core").definedBy("dev.conveyor.job..")
                .layer("services").definedBy("dev.conveyor.queue..", "dev.conveyor.telemetry..",
                        "dev.conveyor.security..", "dev.conveyor.worker..")
                .layer("processors").definedBy("dev.conveyor.processors..")
                .layer("sources").definedBy("dev.conveyor.intake..", "dev.conveyor.inbox..",
                        "dev.conveyor.sqlsource..", "dev.conveyor.retention..", "dev.conveyor.schedule..", "dev.conveyor.ui..")
                .whereLayer("sources").mayNotBeAccessedByAnyLayer()
                .whereLayer("processors").mayOnlyBeAccessedByLayers("sources")
                .whereLayer("services").mayOnlyBeAccessedByLayers("processors", "sources")
                .whereLayer("core").mayOnlyBeAccessedByLayers("services", "processors", "sources")
                .whereLayer("configuration").mayOnlyBeAccessedByLayers("core", "services", "processors", "sources")
                .check(MAIN);
    }

    @Test
    void theDomainServicesKnowNothingOfTheServiceOrOfCamel() {
        noClasses().that().resideInAnyPackage("dev.conveyor.validation..", "dev.conveyor.warehouse..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.camel..", "dev.conveyor.config..",
                        "dev.conveyor.job..", "dev.conveyor.queue..", "dev.conveyor.telemetry..",
                        "dev.conveyor.security..", "dev.conveyor.worker..", "dev.conveyor.processors..",
                        "dev.conveyor.intake..", "dev.conveyor.inbox..", "dev.conveyor.sqlsource..",
                        "dev.conveyor.retention..", "dev.conveyor.schedule..", "dev.conveyor.ui..")
                .check(MAIN);
    }
}
