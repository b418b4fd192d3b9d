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
        copyReferencedFiles("conformance/" + test.id() + ".scenario.yaml", export);
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

  /** A relative path to a YAML file, as scenario files name their manifests and Istio files. */
  private static final java.util.regex.Pattern YAML_PATH =
      java.util.regex.Pattern.compile("[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)+\\.(?:ya?ml|pem)");

  /** A {@code jwt} issuer's key file, beside the scenario. */
  private static final java.util.regex.Pattern JWT_KEY =
      java.util.regex.Pattern.compile("key: ([A-Za-z0-9_.-]+\\.jwk\\.json)");

  /**
   * Copies the files in subdirectories a scenario refers to (Bookinfo's sample YAML under {@code
   * bookinfo/}, kept as Istio ships it; the test certificates under {@code tls/}), keeping their
   * relative paths so the exported scenario validates and runs where it lands.
   */
  private static void copyReferencedFiles(String scenario, Path dir) throws IOException {
    String text;
    try (InputStream in = CatalogueCommand.class.getClassLoader().getResourceAsStream(scenario)) {
      if (in == null) {
        return;
      }
      text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
    // The keys a scenario's jwt issuers sign with (key: jwt-testing.jwk.json), beside the scenario.
    java.util.regex.Matcher keys = JWT_KEY.matcher(text);
    while (keys.find()) {
      try (InputStream in =
          CatalogueCommand.class
              .getClassLoader()
              .getResourceAsStream("conformance/" + keys.group(1))) {
        if (in != null) {
          Files.write(dir.resolve(keys.group(1)), in.readAllBytes());
        }
      }
    }
    java.util.regex.Matcher m = YAML_PATH.matcher(text);
    while (m.find()) {
      String relative = m.group();
      try (InputStream in =
          CatalogueCommand.class.getClassLoader().getResourceAsStream("conformance/" + relative)) {
        if (in == null || relative.contains("..")) {
          continue;
        }
        Path target = dir.resolve(relative);
        Files.createDirectories(target.getParent());
        Files.write(target, in.readAllBytes());
      }
      // Third-party files (Istio's samples) travel with their NOTICE.
      String notice = relative.substring(0, relative.lastIndexOf('/') + 1) + "NOTICE";
      try (InputStream in =
          CatalogueCommand.class.getClassLoader().getResourceAsStream("conformance/" + notice)) {
        if (in != null) {
          Files.write(dir.resolve(notice), in.readAllBytes());
        }
      }
    }
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
