package dev.meshproof.cli;

import dev.meshproof.conformance.Catalogue;
import dev.meshproof.conformance.ConformanceTest;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code meshproof catalogue}: lists the conformance catalogue; {@code --export DIR} copies its
 * scenario files and manifests, so a user can start from one.
 */
@Command(
    name = "catalogue",
    description = "Lists the conformance catalogue (or exports its files).")
final class CatalogueCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--export",
      paramLabel = "DIR",
      description = "writes every <id>.scenario.yaml and its Istio manifest <id>.yaml into DIR")
  Path export;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"ID", "FEATURE", "LEVEL", "DESCRIPTION"});
    for (ConformanceTest test : Catalogue.all()) {
      String description = test.description();
      rows.add(
          new String[] {
            test.id(),
            test.feature().name(),
            test.feature().supportLevel().name(),
            description.length() > 90 ? description.substring(0, 87) + "..." : description
          });
      if (export != null) {
        Files.createDirectories(export);
        copy("conformance/" + test.id() + ".scenario.yaml", export);
        copy("conformance/" + test.id() + ".yaml", export);
      }
    }
    out.print(SummaryTable.table(rows));
    if (export != null) {
      out.println(
          "exported "
              + Catalogue.all().size()
              + " scenarios to "
              + export
              + " (run one: meshproof run "
              + export.resolve(Catalogue.all().get(0).id() + ".scenario.yaml")
              + ")");
    }
    return ExitCodes.PASSED;
  }

  private static void copy(String resource, Path dir) throws IOException {
    try (InputStream in = CatalogueCommand.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        return; // a Java entry has no scenario file
      }
      Files.write(
          dir.resolve(resource.substring(resource.lastIndexOf('/') + 1)), in.readAllBytes());
    }
  }
}
