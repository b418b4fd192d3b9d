package dev.meshproof.runtime.analyze;

import dev.meshproof.runtime.config.IstioYamlParser;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Meshproof's {@code istioctl analyze}: reads Kubernetes and Istio YAML offline (any kind, not only
 * the ones the simulator implements) and reports configuration mistakes as {@link Finding}s with
 * Istio's message codes ({@code IST0101 Error VirtualService default/reviews file.yaml:12 ...}). It
 * runs before every scenario: an {@link MessageCode.Level#ERROR} stops the scenario, warnings and
 * infos go into its result.
 *
 * <p>The analyzers and the Istio cases they reproduce are listed in docs/architecture.md
 * ("Analyzer"); {@code AnalyzerCorpusTest} checks them against Istio's own analyzer test data.
 *
 * <pre>{@code
 * List<Finding> findings = Analyzer.analyze(List.of(Path.of("istio/")));
 * findings.forEach(System.out::println);
 * }</pre>
 */
public final class Analyzer {
  private Analyzer() {}

  /** One YAML text and the name findings give it (a file path, or a scenario's source name). */
  public record Source(String name, String yaml) {}

  /**
   * Analyzes files and directories (recursively, {@code *.yaml} / {@code *.yml}, in path order).
   *
   * @throws IllegalArgumentException naming a path that is neither a file nor a directory, or a
   *     file that is not UTF-8 (with the line of its first bad byte)
   * @throws UncheckedIOException when a file cannot be read
   */
  public static List<Finding> analyze(List<Path> paths) {
    List<Source> sources = new ArrayList<>();
    for (Path path : paths) {
      for (Path file : yamlFiles(path)) {
        sources.add(new Source(file.toString(), IstioYamlParser.readUtf8(file)));
      }
    }
    return analyze(sources, List.of());
  }

  /**
   * Analyzes YAML texts, resolving hosts also against {@code registry}: the services a scenario's
   * topology registers without Kubernetes {@code Service} documents.
   */
  public static List<Finding> analyze(List<Source> sources, List<RegistryService> registry) {
    return run(sources, registry, List.of(), List.of(Check.values()));
  }

  /**
   * Analyzes YAML texts with the services and the pods of a scenario's topology that have no
   * documents: Sidecar workload selectors and DestinationRule subsets are matched against those
   * pods too.
   */
  public static List<Finding> analyze(
      List<Source> sources, List<RegistryService> registry, List<RegistryPod> pods) {
    return run(sources, registry, pods, List.of(Check.values()));
  }

  static List<Finding> run(
      List<Source> sources, List<RegistryService> registry, List<Check> checks) {
    return run(sources, registry, List.of(), checks);
  }

  static List<Finding> run(
      List<Source> sources,
      List<RegistryService> registry,
      List<RegistryPod> pods,
      List<Check> checks) {
    List<Finding> findings = new ArrayList<>();
    List<RawResource> resources = new ArrayList<>();
    for (Source source : sources) {
      read(source, resources, findings);
    }
    AnalysisInput input = new AnalysisInput(resources, registry, pods);
    for (Check check : checks) {
      check.run(input, findings);
    }
    // Sorted by where they point (stable for findings on one line), as a reader goes through files.
    List<String> order = sources.stream().map(Source::name).toList();
    return findings.stream()
        .sorted(
            Comparator.comparingInt((Finding f) -> order.indexOf(f.source()))
                .thenComparingInt(Finding::line))
        .toList();
  }

  private static List<Path> yamlFiles(Path path) {
    if (Files.isRegularFile(path)) {
      return List.of(path);
    }
    if (!Files.isDirectory(path)) {
      throw new IllegalArgumentException(
          "path: " + path + " (expected: an existing YAML file or a directory)");
    }
    try (Stream<Path> walk = Files.walk(path)) {
      return walk.filter(Files::isRegularFile)
          .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
          .sorted(Comparator.naturalOrder())
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + path, e);
    }
  }

  private static void read(Source source, List<RawResource> out, List<Finding> findings) {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setMaxAliasesForCollections(50);
    options.setNestingDepthLimit(50);
    options.setCodePointLimit(3 * 1024 * 1024);
    try {
      for (Node document : new Yaml(options).composeAll(new StringReader(source.yaml()))) {
        if (document == null || isEmpty(document)) {
          continue;
        }
        // kubectl's `kind: List` (as `kubectl get -o yaml` writes): each item is a resource, as
        // istioctl analyze reads it.
        if (RawResource.text(document, "kind").filter("List"::equals).isPresent()
            && RawResource.text(document, "metadata", "name").isEmpty()) {
          for (Node item : RawResource.items(document, "items")) {
            resource(item, source.name())
                .ifPresentOrElse(
                    out::add,
                    () ->
                        findings.add(
                            invalid(
                                source.name(),
                                RawResource.line(item),
                                "a List item without kind and metadata.name (expected: a"
                                    + " Kubernetes resource)")));
          }
          continue;
        }
        resource(document, source.name())
            .ifPresentOrElse(
                out::add,
                () ->
                    findings.add(
                        invalid(
                            source.name(),
                            RawResource.line(document),
                            "a document without kind and metadata.name (expected: a Kubernetes resource)")));
      }
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      findings.add(
          invalid(
              source.name(), mark == null ? 1 : mark.getLine() + 1, "not YAML: " + e.getProblem()));
    } catch (YAMLException e) {
      findings.add(invalid(source.name(), 1, "not YAML: " + e.getMessage()));
    }
  }

  private static boolean isEmpty(Node document) {
    return document instanceof ScalarNode s
        && (s.getValue().isEmpty() || s.getValue().equals("null"));
  }

  private static Optional<RawResource> resource(Node document, String source) {
    if (!(document instanceof MappingNode)) {
      return Optional.empty();
    }
    Optional<String> kind = RawResource.text(document, "kind");
    Optional<String> name = RawResource.text(document, "metadata", "name");
    if (kind.isEmpty() || name.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new RawResource(
            kind.get(),
            name.get(),
            RawResource.text(document, "metadata", "namespace"),
            source,
            document));
  }

  private static Finding invalid(String source, int line, String message) {
    return new Finding(MessageCode.INVALID_DOCUMENT, "-", source, line, message);
  }
}
