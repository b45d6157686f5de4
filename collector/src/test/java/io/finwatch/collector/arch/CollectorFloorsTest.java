package io.finwatch.collector.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The collector's floors (collector/README.md), checked on the compiled main classes: {@code track} knows the
 * host without reading it, {@code kernel} reads it without knowing anything above, and no two packages lean on
 * each other.
 */
@AnalyzeClasses(packages = "io.finwatch.collector", importOptions = ImportOption.DoNotIncludeTests.class)
class CollectorFloorsTest {

    @ArchTest
    static final ArchRule trackReachesTheHostOnlyThroughItsPorts = noClasses()
            .that().resideInAPackage("io.finwatch.collector.track..")
            .should().dependOnClassesThat().resideInAPackage("io.finwatch.collector.kernel..")
            .because("track/ is tested with fake ports; kernel/ implements them");

    @ArchTest
    static final ArchRule trackReachesTheClusterOnlyThroughItsPort = noClasses()
            .that().resideInAPackage("io.finwatch.collector.track..")
            .should().dependOnClassesThat().resideInAnyPackage("io.finwatch.collector.kube..", "io.fabric8..")
            .because("track/ is tested with a fake PodPort; kube/ implements it with the Kubernetes client");

    @ArchTest
    static final ArchRule onlyKubeSpeaksToTheKubernetesApi = noClasses()
            .that().resideOutsideOfPackage("io.finwatch.collector.kube..")
            .should().dependOnClassesThat().resideInAPackage("io.fabric8..")
            .because("the client and its model stay in one floor");

    @ArchTest
    static final ArchRule readingAndKnowingTheHostKnowNothingOfEventsOrTheirDelivery = noClasses()
            .that().resideInAnyPackage("io.finwatch.collector.kernel..", "io.finwatch.collector.track..",
                    "io.finwatch.collector.socket..", "io.finwatch.collector.kube..")
            .should().dependOnClassesThat().resideInAnyPackage("io.finwatch.collector.events..",
                    "io.finwatch.collector.buffer..", "io.finwatch.collector.publish..",
                    "io.finwatch.collector.daemon..", "io.finwatch.collector.cli..", "io.finwatch.schemas..")
            .because("what a poll finds must not depend on how it is shipped");

    @ArchTest
    static final ArchRule socketVocabularyStandsAlone = noClasses()
            .that().resideInAPackage("io.finwatch.collector.socket..")
            .should().dependOnClassesThat().resideInAnyPackage("io.finwatch.collector.kernel..",
                    "io.finwatch.collector.track..", "io.finwatch.collector.kube..")
            .because("kernel/ and track/ both speak it");

    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("io.finwatch.collector.(*)..")
            .should().beFreeOfCycles();
}
