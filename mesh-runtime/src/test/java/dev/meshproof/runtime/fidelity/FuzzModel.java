package dev.meshproof.runtime.fidelity;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The differential fuzzer's inputs as plain values: Istio config (rendered to the YAML a user would
 * apply) and the raw HTTP requests sent against it. {@code toString()} is what a failure prints, so
 * it is the YAML and the request line.
 */
final class FuzzModel {
  private FuzzModel() {}

  /** Istio's StringMatch, plus the presence form {@code {}}. */
  record Str(Kind kind, String value) {
    enum Kind {
      EXACT,
      PREFIX,
      REGEX,
      PRESENT
    }

    String yaml() {
      return kind == Kind.PRESENT
          ? "{}"
          : "{" + kind.name().toLowerCase(java.util.Locale.ROOT) + ": " + quote(value) + "}";
    }
  }

  /** One {@code match} block. */
  record Match(
      Optional<Str> uri,
      boolean ignoreUriCase,
      Optional<Str> method,
      Optional<Str> authority,
      Map<String, Str> headers,
      Map<String, Str> withoutHeaders) {

    void yaml(StringBuilder out, String indent) {
      List<String> fields = new ArrayList<>();
      uri.ifPresent(u -> fields.add("uri: " + u.yaml()));
      if (ignoreUriCase) {
        fields.add("ignoreUriCase: true");
      }
      method.ifPresent(m -> fields.add("method: " + m.yaml()));
      authority.ifPresent(a -> fields.add("authority: " + a.yaml()));
      if (!headers.isEmpty()) {
        fields.add("headers: " + map(headers));
      }
      if (!withoutHeaders.isEmpty()) {
        fields.add("withoutHeaders: " + map(withoutHeaders));
      }
      if (fields.isEmpty()) {
        // An empty match block matches everything, as Istio documents.
        out.append(indent).append("- {}\n");
        return;
      }
      out.append(indent).append("- ").append(fields.get(0)).append('\n');
      for (String field : fields.subList(1, fields.size())) {
        out.append(indent).append("  ").append(field).append('\n');
      }
    }

    private static String map(Map<String, Str> matches) {
      return matches.entrySet().stream()
          .map(e -> e.getKey() + ": " + e.getValue().yaml())
          .collect(Collectors.joining(", ", "{", "}"));
    }
  }

  /** A route destination; {@code weight} is rendered only when the rule has several. */
  record Dest(String host, Optional<String> subset, int weight) {}

  /** One {@code http} rule. */
  record Rule(String name, List<Match> matches, List<Dest> route) {}

  /** A VirtualService in namespace default. */
  record Vs(String name, List<String> hosts, List<Rule> http) {
    String yaml() {
      StringBuilder out = new StringBuilder();
      out.append("apiVersion: networking.istio.io/v1\nkind: VirtualService\n");
      out.append("metadata: {name: ").append(name).append("}\nspec:\n");
      out.append("  hosts: [")
          .append(hosts.stream().map(FuzzModel::quote).collect(Collectors.joining(", ")))
          .append("]\n  http:\n");
      for (Rule rule : http) {
        out.append("  - name: ").append(rule.name()).append('\n');
        if (!rule.matches().isEmpty()) {
          out.append("    match:\n");
          for (Match match : rule.matches()) {
            match.yaml(out, "    ");
          }
        }
        out.append("    route:\n");
        for (Dest dest : rule.route()) {
          out.append("    - destination: {host: ").append(dest.host());
          dest.subset().ifPresent(s -> out.append(", subset: ").append(s));
          out.append('}');
          if (rule.route().size() > 1) {
            out.append("\n      weight: ").append(dest.weight());
          }
          out.append('\n');
        }
      }
      return out.toString();
    }
  }

  /** A DestinationRule subset selecting {@code version: <label>}. */
  record Subset(String name, Optional<String> lb) {}

  /** The DestinationRule {@code catalog}. */
  record Dr(String host, Optional<String> lb, List<Subset> subsets) {
    String yaml() {
      StringBuilder out = new StringBuilder();
      out.append("apiVersion: networking.istio.io/v1\nkind: DestinationRule\n");
      out.append("metadata: {name: catalog}\nspec:\n  host: ").append(host).append('\n');
      lb.ifPresent(
          l -> out.append("  trafficPolicy: {loadBalancer: {simple: ").append(l).append("}}\n"));
      out.append("  subsets:").append(subsets.isEmpty() ? " []\n" : "\n");
      for (Subset subset : subsets) {
        out.append("  - name: ")
            .append(subset.name())
            .append("\n    labels: {version: ")
            .append(subset.name())
            .append("}\n");
        subset
            .lb()
            .ifPresent(
                l ->
                    out.append("    trafficPolicy: {loadBalancer: {simple: ")
                        .append(l)
                        .append("}}\n"));
      }
      return out.toString();
    }
  }

  /**
   * Everything applied for one case; the VirtualService names stay fixed so each case replaces the
   * last.
   */
  record Config(Vs primary, Vs secondary, Dr destinationRule) {
    String yaml() {
      return destinationRule.yaml() + "---\n" + primary.yaml() + "---\n" + secondary.yaml();
    }

    @Override
    public String toString() {
      return "\n" + yaml();
    }
  }

  /** A raw HTTP/1.1 request to the client's sidecar: the Host header is sent exactly as given. */
  record Req(String method, String path, String authority, Map<String, String> headers) {
    Req {
      headers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    @Override
    public String toString() {
      StringBuilder out = new StringBuilder(method + " " + path + " Host: " + authority);
      headers.forEach((k, v) -> out.append(" ").append(k).append(": \"").append(v).append('"'));
      return out.toString();
    }
  }

  /** One property try: a config and the requests sent against it. */
  record Case(Config config, List<Req> requests) {
    @Override
    public String toString() {
      return config
          + "requests:\n"
          + requests.stream().map(r -> "  " + r).collect(Collectors.joining("\n"));
    }
  }

  static String quote(String value) {
    // A YAML double-quoted scalar; the generators produce no backslashes or control characters.
    return "\"" + value.replace("\"", "\\\"") + "\"";
  }
}
