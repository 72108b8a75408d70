package io.layercake;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Holds the main code to the package table in {@code docs/ARCHITECTURE.md}: every dependency
 * between two of our packages is one the table allows, every package is in the table, and there
 * are no cycles. The table is read from the document itself, so the plan and the check cannot
 * drift apart.
 */
class PackagePlanTest {

  private static final String BASE = "io.layercake";
  private static final Path ARCHITECTURE = Path.of("..", "docs", "ARCHITECTURE.md");
  /** A row of the table: a package in backticks, what it holds, what it may depend on. */
  private static final Pattern ROW = Pattern.compile("^\\| `([a-z]+)` \\|.*\\| ([^|]+) \\|$");
  private static final Pattern NAME = Pattern.compile("`([a-z]+)`");
  /** Every package may report to metrics, which the table says on the metrics row. */
  private static final String EVERYONE_MAY_USE = "metrics";

  private static JavaClasses main;
  private static Map<String, Set<String>> allowed;

  @BeforeAll
  static void load() throws IOException {
    // The testkit module is test code whatever its classes' folder: its package is not in the plan.
    main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .withImportOption(location -> !location.contains("/io/layercake/testkit/")).importPackages(BASE);
    allowed = readTable(Files.readAllLines(ARCHITECTURE));
  }

  @Test
  void everyDependencyIsOneTheTableAllows() {
    List<String> breaches = new ArrayList<>();
    for (JavaClass source : main) {
      Optional<String> from = packageOf(source);
      if (from.isEmpty() || !allowed.containsKey(from.get())) {
        continue;
      }
      for (Dependency dependency : source.getDirectDependenciesFromSelf()) {
        Optional<String> to = packageOf(dependency.getTargetClass());
        if (to.isPresent() && !to.get().equals(from.get()) && !to.get().equals(EVERYONE_MAY_USE)
            && !allowed.get(from.get()).contains(to.get())) {
          breaches.add(from.get() + " -> " + to.get() + ": " + dependency.getDescription());
        }
      }
    }
    assertEquals(List.of(), breaches.stream().distinct().sorted().toList(),
        "imports the package table in docs/ARCHITECTURE.md does not allow; change the code or the table");
  }

  @Test
  void everyPackageIsInTheTable() {
    Set<String> packages = main.stream().map(PackagePlanTest::packageOf).flatMap(Optional::stream)
        .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(packages, new TreeSet<>(allowed.keySet()), "packages in the code vs rows of the table");
  }

  @Test
  void thePackagesHaveNoCycles() {
    slices().matching(BASE + ".(*)..").should().beFreeOfCycles().check(main);
  }

  @Test
  void theTableIsReadAsWritten() {
    // Guards the parser: a reworded cell must not silently allow or forbid everything.
    assertEquals(Set.of(), allowed.get("oci"));
    assertEquals(Set.of("oci", "tls", "transport"), allowed.get("cluster"));
    assertTrue(allowed.get("node").containsAll(Set.of("http", "admin", "storage", "cluster")), allowed.get("node").toString());
    assertTrue(!allowed.get("node").contains("cli"), "cli is below node in the table");
  }

  /**
   * The allowed targets per package. "nothing" allows none, and "everything above" allows every
   * package in an earlier row; otherwise the backticked names in the cell.
   */
  private static Map<String, Set<String>> readTable(List<String> lines) {
    Map<String, Set<String>> table = new LinkedHashMap<>();
    for (String line : lines) {
      Matcher row = ROW.matcher(line.strip());
      if (!row.matches()) {
        continue;
      }
      String cell = row.group(2).strip();
      Set<String> targets = new TreeSet<>();
      if (cell.startsWith("everything above")) {
        targets.addAll(table.keySet());
      } else if (!cell.startsWith("nothing")) {
        Matcher name = NAME.matcher(cell);
        while (name.find()) {
          targets.add(name.group(1));
        }
      }
      table.put(row.group(1), targets);
    }
    return table;
  }

  /** The first component under the base package; empty for the root package and foreign classes. */
  private static Optional<String> packageOf(JavaClass type) {
    String name = type.getPackageName();
    if (!name.startsWith(BASE + ".")) {
      return Optional.empty();
    }
    String rest = name.substring(BASE.length() + 1);
    int dot = rest.indexOf('.');
    return Optional.of(dot < 0 ? rest : rest.substring(0, dot));
  }
}
