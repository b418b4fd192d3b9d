package dev.meshproof.runtime.config;

import java.io.StringReader;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Parses Istio YAML exactly as {@code kubectl apply} takes it (one or more documents separated by
 * {@code ---}) into validated resources. Every problem is reported with file, line, column, field
 * path and what is allowed; unknown fields are errors, not silently dropped. The kinds and their
 * spec parsers come from {@link IstioKinds}.
 */
public final class IstioYamlParser {

  private IstioYamlParser() {}

  /**
   * Parses {@code yaml}; {@code source} names it in messages (a file path, or a label for inline
   * text); resources without {@code metadata.namespace} go to {@code defaultNamespace}.
   *
   * @throws InvalidConfigException listing every problem found
   */
  public static List<IstioResource> parse(String yaml, String source, String defaultNamespace) {
    List<ConfigProblem> problems = new ArrayList<>();
    List<IstioResource> resources = new ArrayList<>();
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(true); // reported by YamlMapping with the field path instead
    try {
      for (Node document : new Yaml(options).composeAll(new StringReader(yaml))) {
        if (document != null) {
          parseDocument(document, source, defaultNamespace, problems).ifPresent(resources::add);
        }
      }
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      String what = e.getProblem() != null ? e.getProblem() : e.getMessage();
      problems.add(
          new ConfigProblem(
              source,
              mark == null ? 0 : mark.getLine() + 1,
              mark == null ? 0 : mark.getColumn() + 1,
              "",
              "not valid YAML: "
                  + what
                  + (e.getContext() != null ? " (" + e.getContext() + ")" : "")));
    }
    if (!problems.isEmpty()) {
      throw new InvalidConfigException(problems);
    }
    return List.copyOf(resources);
  }

  private static Optional<IstioResource> parseDocument(
      Node document, String source, String defaultNamespace, List<ConfigProblem> problems) {
    int before = problems.size();
    YamlMapping root = YamlMapping.of(source, "", document, problems);
    String apiVersion = root.requiredString("apiVersion", "networking.istio.io/v1");
    String kind = root.requiredString("kind", IstioKinds.names());
    ResourceMeta meta = readMeta(root, kind, defaultNamespace);
    Optional<YamlMapping> spec = root.mapping("spec");
    root.value(
        "status"); // written by Istio, never read: allowed so `kubectl get -o yaml` output applies
    root.finish();
    if (problems.size() > before) {
      return Optional.empty();
    }
    Optional<IstioKind<?>> istioKind = IstioKinds.byKind(kind);
    if (istioKind.isEmpty()) {
      root.problem(
          root.value("kind").orElseThrow(),
          "kind",
          "\"" + kind + "\" is not supported (expected one of: " + IstioKinds.names() + ")");
      return Optional.empty();
    }
    if (!istioKind.get().apiVersions().contains(apiVersion)) {
      root.problem(
          root.value("apiVersion").orElseThrow(),
          "apiVersion",
          "\""
              + apiVersion
              + "\" is not an API version of "
              + kind
              + " (expected one of: "
              + istioKind.get().apiVersions().stream().sorted().collect(Collectors.joining(", "))
              + ")");
      return Optional.empty();
    }
    if (spec.isEmpty()) {
      root.problem(document, "spec", "required field is missing");
      return Optional.empty();
    }
    IstioResource resource = istioKind.get().parse(meta, spec.get());
    return problems.size() > before ? Optional.empty() : Optional.of(resource);
  }

  private static ResourceMeta readMeta(YamlMapping root, String kind, String defaultNamespace) {
    Optional<YamlMapping> metadata = root.mapping("metadata");
    if (metadata.isEmpty()) {
      root.problem(
          root.node(), "metadata", "required field is missing (expected: name, namespace)");
      return new ResourceMeta(kind, "", defaultNamespace, root.source(), root.line());
    }
    YamlMapping m = metadata.get();
    String name = m.requiredString("name", "a DNS-1123 name");
    String namespace = m.string("namespace").orElse(defaultNamespace);
    m.stringMap("labels");
    m.stringMap("annotations");
    for (String ignored : List.of("uid", "resourceVersion", "generation", "managedFields")) {
      m.value(ignored); // server-populated fields, as in `kubectl get -o yaml`
    }
    // istiod orders VirtualServices for one host by creation time: a stated timestamp is kept;
    // without one, the config store's apply order stands in for it.
    Optional<Instant> created = Optional.empty();
    Optional<Node> timestamp = m.value("creationTimestamp");
    Optional<String> text = m.string("creationTimestamp");
    if (timestamp.isPresent() && text.isPresent()) {
      try {
        created = Optional.of(Instant.parse(text.get()));
      } catch (DateTimeParseException e) {
        m.problem(
            timestamp.get(),
            m.child("creationTimestamp"),
            "\""
                + text.get()
                + "\" is not a timestamp (expected: RFC 3339 UTC, such as"
                + " 2026-01-02T03:04:05Z)");
      }
    }
    m.finish();
    return new ResourceMeta(kind, name, namespace, root.source(), root.line(), created);
  }
}
