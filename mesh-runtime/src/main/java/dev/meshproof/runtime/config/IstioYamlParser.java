package dev.meshproof.runtime.config;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.CollectionEndEvent;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.reader.ReaderException;

/**
 * Parses Istio YAML exactly as {@code kubectl apply} takes it (one or more documents separated by
 * {@code ---}) into validated resources. Every problem is reported with file, line, column, field
 * path and what is allowed; unknown fields are errors, not silently dropped. The kinds and their
 * spec parsers come from {@link IstioKinds}.
 */
public final class IstioYamlParser {
  /**
   * Aliases to lists and mappings per file. Istio YAML has no use for many; a "billion laughs"
   * document multiplies them, so a low limit keeps hostile input cheap.
   */
  static final int MAX_COLLECTION_ALIASES = 50;

  /** Nesting of lists and mappings. Istio resources nest about 10 deep. */
  static final int MAX_NESTING_DEPTH = 50;

  /**
   * Code points per file: 3 MiB, SnakeYAML's default and twice the 1.5 MiB etcd puts on one
   * Kubernetes object.
   */
  static final int MAX_CODE_POINTS = 3 * 1024 * 1024;

  private IstioYamlParser() {}

  /**
   * Reads and parses an Istio YAML file as {@code kubectl apply -f} does; messages name the file.
   *
   * @throws InvalidConfigException listing every problem found, including a file that is not UTF-8
   * @throws UncheckedIOException when the file cannot be read at all
   */
  public static List<IstioResource> parse(Path file, String defaultNamespace) {
    return parse(readUtf8(file), file.toString(), defaultNamespace);
  }

  /**
   * The text of a YAML file, which must be UTF-8 (as for {@code kubectl}).
   *
   * @throws InvalidConfigException naming the file, the line and the first byte that is not UTF-8
   * @throws UncheckedIOException when the file cannot be read at all
   */
  public static String readUtf8(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length + 1);
    CoderResult result = decoder.decode(in, out, true);
    if (result.isError()) {
      int offset = in.position();
      int line = 1;
      int lineStart = 0;
      for (int i = 0; i < offset; i++) {
        if (bytes[i] == '\n') {
          line++;
          lineStart = i + 1;
        }
      }
      throw new InvalidConfigException(
          List.of(
              new ConfigProblem(
                  file.toString(),
                  line,
                  offset - lineStart + 1,
                  "",
                  String.format(
                      "not UTF-8: byte 0x%02X at byte offset %d (expected: a UTF-8 text file)",
                      bytes[offset] & 0xff, offset))));
    }
    decoder.flush(out);
    return out.flip().toString();
  }

  /**
   * Parses {@code yaml}; {@code source} names it in messages (a file path, or a label for inline
   * text); resources without {@code metadata.namespace} go to {@code defaultNamespace}. Empty and
   * comment-only documents (a leading or trailing {@code ---}) are skipped, as {@code kubectl
   * apply} skips them.
   *
   * @throws InvalidConfigException listing every problem found; no exception of the YAML library
   *     escapes, whatever the input
   */
  public static List<IstioResource> parse(String yaml, String source, String defaultNamespace) {
    List<ConfigProblem> problems = new ArrayList<>();
    List<IstioResource> resources = new ArrayList<>();
    Map<String, ResourceMeta> seen = new HashMap<>();
    if (yaml.codePointCount(0, yaml.length()) > MAX_CODE_POINTS) {
      // Checked here: SnakeYAML counts its limit per document and only while scanning tokens.
      problems.add(sizeLimit(yaml, source));
      throw new InvalidConfigException(problems);
    }
    try {
      for (Node document : new Yaml(loaderOptions()).composeAll(new StringReader(yaml))) {
        if (document == null || isEmptyDocument(document)) {
          continue;
        }
        Optional<IstioResource> resource =
            parseDocument(document, source, defaultNamespace, problems);
        if (resource.isEmpty()) {
          continue;
        }
        ResourceMeta meta = resource.get().meta();
        ResourceMeta first = seen.putIfAbsent(meta.key(), meta);
        if (first != null) {
          problems.add(
              new ConfigProblem(
                  source,
                  meta.line(),
                  1,
                  "metadata.name",
                  meta.kind()
                      + " "
                      + meta.namespace()
                      + "/"
                      + meta.name()
                      + " is already defined at "
                      + first.source()
                      + ":"
                      + first.line()
                      + " (expected: one resource per kind, namespace and name in one apply)"));
        } else {
          resources.add(resource.get());
        }
      }
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      String what = e.getProblem() != null ? e.getProblem() : e.getMessage();
      int[] at =
          mark != null
              ? new int[] {mark.getLine() + 1, mark.getColumn() + 1}
              : lastReachedPosition(yaml);
      problems.add(
          new ConfigProblem(
              source,
              at[0],
              at[1],
              "",
              "not valid YAML: "
                  + what
                  + (e.getContext() != null ? " (" + e.getContext() + ")" : "")));
    } catch (ReaderException e) {
      int[] at = positionOfCodePoint(yaml, e.getPosition());
      problems.add(
          new ConfigProblem(
              source,
              at[0],
              at[1],
              "",
              String.format(
                  "not valid YAML: special character U+%04X is not allowed (expected: printable"
                      + " Unicode; tab, line feed and carriage return are the only control"
                      + " characters YAML allows)",
                  e.getCodePoint())));
    } catch (YAMLException e) {
      problems.add(unmarked(e, yaml, source));
    }
    if (!problems.isEmpty()) {
      throw new InvalidConfigException(problems);
    }
    return List.copyOf(resources);
  }

  private static LoaderOptions loaderOptions() {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(true); // reported by YamlMapping with the field path instead
    options.setMaxAliasesForCollections(MAX_COLLECTION_ALIASES);
    options.setNestingDepthLimit(MAX_NESTING_DEPTH);
    options.setCodePointLimit(MAX_CODE_POINTS);
    return options;
  }

  /** What {@code ---} followed by nothing (or only comments) composes to. */
  private static boolean isEmptyDocument(Node document) {
    return document instanceof ScalarNode scalar
        && Tag.NULL.equals(scalar.getTag())
        && scalar.getValue().isEmpty();
  }

  /**
   * A YAML library error that carries no position: SnakeYAML raises the limits (aliases, nesting,
   * size) without a mark, so the position is recomputed from the text.
   */
  private static ConfigProblem unmarked(YAMLException e, String yaml, String source) {
    String what = String.valueOf(e.getMessage());
    if (what.contains("aliases")) {
      int[] at = aliasOverLimit(yaml);
      return new ConfigProblem(
          source,
          at[0],
          at[1],
          "",
          "not valid Istio YAML: more than "
              + MAX_COLLECTION_ALIASES
              + " aliases (*name) to lists or mappings (expected: at most "
              + MAX_COLLECTION_ALIASES
              + "; repeated aliases can expand a small file into a huge one)");
    }
    if (what.contains("Nesting Depth")) {
      int[] at = collectionOverDepth(yaml);
      return new ConfigProblem(
          source,
          at[0],
          at[1],
          "",
          "not valid Istio YAML: lists and mappings nested more than "
              + MAX_NESTING_DEPTH
              + " deep (expected: a nesting depth of at most "
              + MAX_NESTING_DEPTH
              + ")");
    }
    if (what.contains("exceeds the limit")) {
      return sizeLimit(yaml, source);
    }
    int[] at = lastReachedPosition(yaml);
    return new ConfigProblem(source, at[0], at[1], "", "not valid YAML: " + what);
  }

  private static ConfigProblem sizeLimit(String yaml, String source) {
    int[] at = positionOfCodePoint(yaml, MAX_CODE_POINTS);
    return new ConfigProblem(
        source,
        at[0],
        at[1],
        "",
        "not valid Istio YAML: the file exceeds the size limit of "
            + MAX_CODE_POINTS
            + " characters here (expected: a smaller file; split it)");
  }

  /** The 1-based line and column of the code point at {@code index} (or of the end). */
  private static int[] positionOfCodePoint(String text, int index) {
    int line = 1;
    int column = 1;
    int seen = 0;
    for (int i = 0;
        i < text.length() && seen < index;
        i += Character.charCount(text.codePointAt(i))) {
      if (text.charAt(i) == '\n') {
        line++;
        column = 1;
      } else {
        column++;
      }
      seen++;
    }
    return new int[] {line, column};
  }

  /** Where the alias beyond {@link #MAX_COLLECTION_ALIASES} to a list or mapping is. */
  private static int[] aliasOverLimit(String yaml) {
    Set<String> collectionAnchors = new HashSet<>();
    int[] count = {0};
    return scanEvents(
        yaml,
        event -> {
          if (event instanceof CollectionStartEvent start && start.getAnchor() != null) {
            collectionAnchors.add(start.getAnchor());
          } else if (event instanceof AliasEvent alias
              && collectionAnchors.contains(alias.getAnchor())) {
            return ++count[0] > MAX_COLLECTION_ALIASES;
          }
          return false;
        });
  }

  /** Where the list or mapping nested beyond {@link #MAX_NESTING_DEPTH} starts. */
  private static int[] collectionOverDepth(String yaml) {
    int[] depth = {0};
    return scanEvents(
        yaml,
        event -> {
          if (event instanceof CollectionStartEvent) {
            return ++depth[0] > MAX_NESTING_DEPTH;
          }
          if (event instanceof CollectionEndEvent) {
            depth[0]--;
          }
          return false;
        });
  }

  private static int[] lastReachedPosition(String yaml) {
    return scanEvents(yaml, event -> false);
  }

  /**
   * Walks the parser's events (which neither expand aliases nor count nesting) until {@code found}
   * holds, and returns that event's position, or the last position reached when the text ends or
   * cannot be parsed further.
   */
  private static int[] scanEvents(String yaml, Predicate<Event> found) {
    Mark last = null;
    LoaderOptions options = loaderOptions();
    options.setNestingDepthLimit(Integer.MAX_VALUE);
    options.setCodePointLimit(Integer.MAX_VALUE);
    try {
      for (Event event : new Yaml(options).parse(new StringReader(yaml))) {
        last = event.getStartMark();
        if (found.test(event)) {
          break;
        }
      }
    } catch (MarkedYAMLException e) {
      if (e.getProblemMark() != null) {
        last = e.getProblemMark();
      }
    } catch (YAMLException e) {
      // The scan only locates a problem already found; stop at the last position reached.
    }
    return last == null ? new int[] {1, 1} : new int[] {last.getLine() + 1, last.getColumn() + 1};
  }

  private static Optional<IstioResource> parseDocument(
      Node document, String source, String defaultNamespace, List<ConfigProblem> problems) {
    int before = problems.size();
    YamlMapping root = YamlMapping.of(source, "", document, problems);
    String apiVersion = root.requiredString("apiVersion", "networking.istio.io/v1");
    String kind = root.requiredString("kind", IstioKinds.names());
    ResourceMeta meta = readMeta(root, kind, defaultNamespace);
    Optional<IstioKind<?>> known = IstioKinds.lookup(apiVersion, kind);
    Optional<YamlMapping> spec = root.mapping("spec");
    // written by the API server, never read: allowed so `kubectl get -o yaml` output applies
    root.value("status");
    if (known.isPresent() && known.get().support() == IstioKind.Support.NOT_SIMULATED) {
      root.acceptAll(); // data, rules, ... of a kind whose content is not read
    }
    Map<String, String> secretData =
        known.filter(k -> k == IstioKinds.KUBERNETES_SECRET).isPresent()
            ? secretData(root)
            : Map.of();
    known.ifPresent(k -> k.topLevelFields().forEach(root::value));
    root.finish();
    if (problems.size() > before) {
      return Optional.empty();
    }
    if (known.isEmpty()) {
      List<IstioKind<?>> sameKind = IstioKinds.named(kind);
      if (sameKind.isEmpty()) {
        root.problem(
            root.value("kind").orElseThrow(),
            "kind",
            "\""
                + kind
                + "\" is not a kind Meshproof knows (expected one of: "
                + IstioKinds.knownNames()
                + ")");
      } else {
        root.problem(
            root.value("apiVersion").orElseThrow(),
            "apiVersion",
            "\""
                + apiVersion
                + "\" is not an API version of "
                + kind
                + " (expected one of: "
                + sameKind.stream()
                    .flatMap(k -> k.apiVersions().stream())
                    .sorted()
                    .collect(Collectors.joining(", "))
                + ")");
      }
      return Optional.empty();
    }
    IstioKind<?> istioKind = known.get();
    if (spec.isEmpty() && istioKind.specRequired()) {
      root.problem(document, "spec", "required field is missing");
      return Optional.empty();
    }
    YamlMapping specMapping =
        spec.orElseGet(
            () ->
                YamlMapping.of(
                    source,
                    "spec",
                    new MappingNode(Tag.MAP, List.of(), DumperOptions.FlowStyle.AUTO),
                    problems));
    IstioResource resource = istioKind.parse(meta, specMapping);
    if (resource instanceof KubernetesService service) {
      resource = service.withExportTo(serviceExportTo(root));
    }
    if (resource instanceof AuthorizationPolicy policy) {
      resource = policy.withDryRun(authorizationDryRun(root));
    }
    if (resource instanceof KubernetesSecret secret) {
      resource = new KubernetesSecret(meta, root.string("type").orElse("Opaque"), secretData);
    }
    if (resource instanceof NotSimulatedResource) {
      resource = new NotSimulatedResource(meta, apiVersion); // as written, for the listing
    }
    if (problems.size() == before && istioKind.support() == IstioKind.Support.NOT_YET_SUPPORTED) {
      root.problem(
          root.value("kind").orElseThrow(),
          "kind",
          kind
              + " is valid Istio, but not supported by Meshproof yet (it would be silently"
              + " ignored; supported: "
              + IstioKinds.ALL.stream()
                  .filter(k -> k.support() == IstioKind.Support.SIMULATED)
                  .map(IstioKind::kind)
                  .collect(Collectors.joining(", "))
              + ")");
    }
    return problems.size() > before ? Optional.empty() : Optional.of(resource);
  }

  /** Kubernetes' DNS-1123 subdomain: object names (apimachinery IsDNS1123Subdomain). */
  private static final Pattern DNS1123_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  /** Kubernetes' DNS-1123 label: namespace names (apimachinery IsDNS1123Label). */
  private static final Pattern DNS1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

  /**
   * An AuthorizationPolicy's {@code istio.io/dry-run} annotation, read as istiod's {@code
   * builder.go isDryRun} does (Go's {@code strconv.ParseBool}); a value ParseBool refuses, which
   * istiod would log and treat as false, is reported at its line instead.
   */
  private static boolean authorizationDryRun(YamlMapping root) {
    Optional<YamlMapping> metadata = root.mapping("metadata");
    Optional<String> written =
        metadata.map(m -> m.stringMap("annotations").get(AuthorizationPolicy.DRY_RUN_ANNOTATION));
    if (written.isEmpty()) {
      return false;
    }
    return switch (written.get()) {
      case "1", "t", "T", "TRUE", "true", "True" -> true;
      case "0", "f", "F", "FALSE", "false", "False" -> false;
      default -> {
        YamlMapping m = metadata.orElseThrow();
        m.problem(
            m.value("annotations").orElseThrow(),
            m.child("annotations") + "[" + AuthorizationPolicy.DRY_RUN_ANNOTATION + "]",
            "\""
                + written.get()
                + "\" is not a boolean (expected: true or false, as Go's strconv.ParseBool reads"
                + " it)");
        yield false;
      }
    };
  }

  /**
   * A Service's {@code networking.istio.io/exportTo} annotation, as istiod's {@code
   * kube.ConvertService} reads it: comma-separated, each entry trimmed; {@code .}, {@code *},
   * {@code ~} or a namespace (a DNS-1123 label), anything else is reported at its line.
   */
  /**
   * A Secret's {@code data} (each value base64, as the API server stores it) and {@code stringData}
   * (plain text, which the API server merges over {@code data}), decoded.
   */
  private static Map<String, String> secretData(YamlMapping root) {
    Map<String, String> out = new java.util.TreeMap<>();
    Map<String, String> encoded = root.stringMap("data");
    encoded.forEach(
        (key, value) -> {
          try {
            out.put(
                key,
                new String(
                    java.util.Base64.getMimeDecoder().decode(value),
                    java.nio.charset.StandardCharsets.UTF_8));
          } catch (IllegalArgumentException e) {
            YamlMapping data = root.mapping("data").orElseThrow();
            data.problem(
                data.value(key).orElse(data.node()),
                data.child(key),
                "is not base64 ("
                    + e.getMessage()
                    + "; expected: base64, or the text under"
                    + " stringData)");
          }
        });
    out.putAll(root.stringMap("stringData"));
    return out;
  }

  private static List<String> serviceExportTo(YamlMapping root) {
    Optional<YamlMapping> metadata = root.mapping("metadata");
    Optional<String> written =
        metadata.map(m -> m.stringMap("annotations").get(KubernetesService.EXPORT_TO_ANNOTATION));
    if (written.isEmpty()) {
      return List.of();
    }
    List<String> entries = new java.util.ArrayList<>();
    for (String part : written.get().split(",")) {
      String entry = part.trim();
      if (entry.isEmpty()) {
        continue;
      }
      if (!entry.equals(".")
          && !entry.equals("*")
          && !entry.equals("~")
          && !DNS1123_LABEL.matcher(entry).matches()) {
        YamlMapping m = metadata.orElseThrow();
        m.problem(
            m.value("annotations").orElseThrow(),
            m.child("annotations") + "[" + KubernetesService.EXPORT_TO_ANNOTATION + "]",
            "\""
                + entry
                + "\" is not an exportTo entry (expected: ., *, ~ or a namespace name,"
                + " comma-separated)");
      }
      entries.add(entry);
    }
    return entries;
  }

  private static ResourceMeta readMeta(YamlMapping root, String kind, String defaultNamespace) {
    Optional<YamlMapping> metadata = root.mapping("metadata");
    if (metadata.isEmpty()) {
      root.problem(
          root.node(), "metadata", "required field is missing (expected: name, namespace)");
      return new ResourceMeta(kind, "", defaultNamespace, root.source(), root.line());
    }
    YamlMapping m = metadata.get();
    String name = m.requiredString("name", "a DNS-1123 name such as reviews-v1");
    if (!name.isEmpty() && (name.length() > 253 || !DNS1123_SUBDOMAIN.matcher(name).matches())) {
      m.problem(
          m.value("name").orElseThrow(),
          m.child("name"),
          "\""
              + name
              + "\" is not a valid DNS-1123 subdomain (expected: at most 253 characters of"
              + " lowercase letters, digits, '-' and '.', starting and ending with a letter or"
              + " digit)");
    }
    // An empty namespace is kubectl's "the current namespace", like an absent one.
    Optional<String> written = m.string("namespace").filter(n -> !n.isEmpty());
    String namespace = written.orElse(defaultNamespace);
    if (written.isPresent()
        && (namespace.length() > 63 || !DNS1123_LABEL.matcher(namespace).matches())) {
      m.problem(
          m.value("namespace").orElseThrow(),
          m.child("namespace"),
          "\""
              + namespace
              + "\" is not a valid DNS-1123 label (expected: at most 63 characters of lowercase"
              + " letters, digits and '-', starting and ending with a letter or digit)");
    }
    Optional<Instant> created = creationTimestamp(m);
    m.stringMap("labels");
    m.stringMap("annotations");
    for (String ignored : List.of("uid", "resourceVersion", "generation", "managedFields")) {
      m.value(ignored); // server-populated fields, as in `kubectl get -o yaml`
    }
    m.finish();
    return new ResourceMeta(kind, name, namespace, root.source(), root.line(), created, 0);
  }

  /**
   * {@code metadata.creationTimestamp} (RFC 3339), which orders VirtualServices for one host as in
   * Istio (oldest first); the config store's apply order stands in when it is absent.
   */
  private static Optional<Instant> creationTimestamp(YamlMapping m) {
    Optional<String> text = m.string("creationTimestamp");
    if (text.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(OffsetDateTime.parse(text.get().trim()).toInstant());
    } catch (DateTimeParseException e) {
      m.problem(
          m.value("creationTimestamp").orElseThrow(),
          m.child("creationTimestamp"),
          "\""
              + text.get()
              + "\" is not an RFC 3339 timestamp (expected: e.g. 2026-01-31T12:00:00Z)");
      return Optional.empty();
    }
  }
}
