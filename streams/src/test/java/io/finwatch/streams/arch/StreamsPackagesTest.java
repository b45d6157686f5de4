package io.finwatch.streams.arch;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The floors of the streams module, checked on its compiled main classes.
 *
 * <ul>
 * <li>No two packages depend on each other, however indirectly: every package is its own slice.
 * <li>{@code state} (store names, key formats, store plumbing) is the floor: it uses no other streams package, so
 *     every processor can use it.
 * <li>{@code topology} only wires: nothing but the application ({@code app}) that runs it depends on it.
 * </ul>
 */
class StreamsPackagesTest {

    private static final String ROOT = "io.finwatch.streams";

    private static JavaClasses main;

    @BeforeAll
    static void importMainClasses() {
        main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(ROOT);
    }

    static ArchRule noPackageCycles(String root) {
        return slices().matching(root + ".(**)").should().beFreeOfCycles();
    }

    @Test
    void noPackageCycles() {
        assertThat(main.size()).as("main classes imported").isGreaterThan(50);
        noPackageCycles(ROOT).check(main);
    }

    @Test
    void stateIsTheFloor() {
        noClasses().that().resideInAPackage(ROOT + ".state..")
                .should().dependOnClassesThat(resideInAPackage(ROOT + "..").and(resideOutsideOfPackage(ROOT + ".state..")))
                .check(main);
    }

    @Test
    void onlyTheApplicationUsesTheTopology() {
        noClasses().that().resideOutsideOfPackages(ROOT + ".topology..", ROOT + ".app..")
                .should().dependOnClassesThat().resideInAPackage(ROOT + ".topology..")
                .check(main);
    }

    /** The cycle rule is not vacuous: two test packages that use each other fail it. */
    @Test
    void aCycleIsCaught() {
        JavaClasses fixture = new ClassFileImporter().importPackages(ROOT + ".arch.cycle");
        assertThat(fixture.size()).isEqualTo(2);
        assertThat(noPackageCycles(ROOT + ".arch.cycle").evaluate(fixture).hasViolation()).isTrue();
    }
}
