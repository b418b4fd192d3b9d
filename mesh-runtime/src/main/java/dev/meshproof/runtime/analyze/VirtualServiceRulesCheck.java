package dev.meshproof.runtime.analyze;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * The unreachable-rule warnings of Istio's VirtualService validation, which {@code istioctl
 * analyze} reports through its schema analyzer ({@code pkg/config/validation/validation.go} {@code
 * analyzeUnreachableHTTPRules}, {@code ...TCPRules}, {@code ...TLSRules}): IST0130 for a rule after
 * a rule without matches, a second rule without matches, or a rule whose every match an earlier
 * rule has; IST0131 for a match identical (name aside) to an earlier one, and, for HTTP, a {@code
 * uri.prefix} match that an earlier prefix match covers with the same port and compatible method
 * (absent = {@code GET}), authority, headers, query parameters and {@code withoutHeaders}.
 */
final class VirtualServiceRulesCheck {
  private VirtualServiceRulesCheck() {}

  static void run(AnalysisInput input, List<Finding> out) {
    for (RawResource vs : input.ofKind("VirtualService")) {
      for (String protocol : List.of("http", "tcp", "tls")) {
        analyze(vs, protocol, RawResource.items(vs.root(), "spec", protocol), out);
      }
    }
  }

  /** {@code genMatchHTTPRoutes}: a {@code uri.prefix} match's fields for the overlap check. */
  private record PrefixMatch(
      String route,
      String match,
      String prefix,
      String port,
      String method,
      String authority,
      Map<String, String> headers,
      Map<String, String> queryParams,
      Map<String, String> withoutHeaders,
      Node node) {}

  private static void analyze(
      RawResource vs, String protocol, List<Node> routes, List<Finding> out) {
    boolean http = protocol.equals("http");
    Map<String, Integer> seen = new HashMap<>();
    int emptyMatchAt = -1;
    List<PrefixMatch> prefixMatches = new ArrayList<>();
    for (int rulen = 0; rulen < routes.size(); rulen++) {
      Node route = routes.get(rulen);
      List<Node> matches = RawResource.items(route, "match");
      String routeName = routeName(route, rulen, http);
      if (matches.isEmpty()) {
        if (emptyMatchAt >= 0) {
          out.add(unreachable(vs, route, routeName, "only the last rule can have no matches"));
        }
        emptyMatchAt = rulen;
        continue;
      }
      int duplicates = 0;
      for (int matchn = 0; matchn < matches.size(); matchn++) {
        Node match = matches.get(matchn);
        if (emptyMatchAt >= 0) {
          out.add(unreachable(vs, route, routeName, "route without matches defined before"));
          continue;
        }
        String key = canonical(match, http);
        Integer dup = seen.get(key);
        if (dup != null) {
          out.add(
              ineffective(
                  vs,
                  match,
                  routeName,
                  requestName(match, matchn, http),
                  routeName(routes.get(dup), dup, http)));
          duplicates++;
          continue;
        }
        seen.put(key, rulen);
        if (http) {
          prefixMatch(route, match, rulen, matchn).ifPresent(prefixMatches::add);
        }
      }
      if (duplicates == matches.size()) {
        out.add(unreachable(vs, route, routeName, "all matches used by prior rules"));
      }
    }
    for (int a = 0; a < prefixMatches.size(); a++) {
      PrefixMatch former = prefixMatches.get(a);
      for (int b = a + 1; b < prefixMatches.size(); b++) {
        PrefixMatch latter = prefixMatches.get(b);
        if (latter.prefix().equals(former.prefix())) {
          continue; // a duplicate, reported above
        }
        if (covers(former, latter)) {
          out.add(
              ineffective(
                  vs,
                  latter.node(),
                  latter.route(),
                  latter.match() + " of prefix " + latter.prefix(),
                  former.match() + " of prefix " + former.prefix() + " on " + former.route()));
        }
      }
    }
  }

  private static Optional<PrefixMatch> prefixMatch(Node route, Node match, int rulen, int matchn) {
    Optional<String> prefix = RawResource.text(match, "uri", "prefix").filter(p -> !p.isEmpty());
    if (prefix.isEmpty()) {
      return Optional.empty();
    }
    String method = exactOrPrefix(RawResource.at(match, "method").orElse(null));
    return Optional.of(
        new PrefixMatch(
            routeName(route, rulen, true),
            requestName(match, matchn, true),
            prefix.get(),
            RawResource.text(match, "port").orElse("0"),
            method.isEmpty() ? "exact:GET" : method,
            exactOrPrefix(RawResource.at(match, "authority").orElse(null)),
            stringMatches(match, "headers"),
            stringMatches(match, "queryParams"),
            stringMatches(match, "withoutHeaders"),
            match));
  }

  /** {@code coveredValidation}: whether {@code a} (earlier) takes every request {@code b} would. */
  private static boolean covers(PrefixMatch a, PrefixMatch b) {
    if (!b.prefix().startsWith(a.prefix()) || !b.port().equals(a.port())) {
      return false;
    }
    if (!a.method().equals(b.method()) && !a.method().startsWith(b.method())) {
      return false;
    }
    if (!a.authority().equals(b.authority()) && !a.authority().startsWith(b.authority())) {
      return false;
    }
    return mapCovers(a.headers(), b.headers())
        && mapCovers(a.queryParams(), b.queryParams())
        && mapCovers(a.withoutHeaders(), b.withoutHeaders());
  }

  private static boolean mapCovers(Map<String, String> a, Map<String, String> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (Map.Entry<String, String> e : a.entrySet()) {
      String other = b.get(e.getKey());
      if (other == null || (!e.getValue().equals(other) && !e.getValue().startsWith(other))) {
        return false;
      }
    }
    return true;
  }

  private static Map<String, String> stringMatches(Node match, String field) {
    Map<String, String> out = new TreeMap<>();
    RawResource.at(match, field)
        .filter(MappingNode.class::isInstance)
        .ifPresent(
            m -> {
              for (NodeTuple t : ((MappingNode) m).getValue()) {
                RawResource.text(t.getKeyNode())
                    .ifPresent(k -> out.put(k, exactOrPrefix(t.getValueNode())));
              }
            });
    return out;
  }

  /** {@code assignExactOrPrefix}: {@code exact:v}, else {@code prefix:v}, else empty. */
  private static String exactOrPrefix(Node stringMatch) {
    if (stringMatch == null) {
      return "";
    }
    Optional<String> exact = RawResource.text(stringMatch, "exact").filter(v -> !v.isEmpty());
    if (exact.isPresent()) {
      return "exact:" + exact.get();
    }
    return RawResource.text(stringMatch, "prefix")
        .filter(v -> !v.isEmpty())
        .map(v -> "prefix:" + v)
        .orElse("");
  }

  /** {@code asJSON} without the match's {@code name}: the match as a canonical string. */
  private static String canonical(Node match, boolean http) {
    StringBuilder out = new StringBuilder();
    write(match, out, http);
    return out.toString();
  }

  private static void write(Node node, StringBuilder out, boolean skipName) {
    if (node instanceof MappingNode mapping) {
      Map<String, Node> sorted = new TreeMap<>();
      for (NodeTuple t : mapping.getValue()) {
        String key = RawResource.text(t.getKeyNode()).orElse("");
        if (!(skipName && key.equals("name"))) {
          sorted.put(key, t.getValueNode());
        }
      }
      out.append('{');
      sorted.forEach(
          (k, v) -> {
            out.append(k).append(':');
            write(v, out, false);
            out.append(',');
          });
      out.append('}');
    } else if (node instanceof SequenceNode sequence) {
      out.append('[');
      for (Node item : sequence.getValue()) {
        write(item, out, false);
        out.append(',');
      }
      out.append(']');
    } else if (node instanceof ScalarNode scalar) {
      out.append('"').append(scalar.getValue().replace("\"", "\\\"")).append('"');
    }
  }

  /** {@code routeName}: an HTTP rule's {@code name} quoted, else {@code #n}. */
  private static String routeName(Node route, int rulen, boolean http) {
    Optional<String> name = http ? RawResource.text(route, "name") : Optional.empty();
    return name.filter(n -> !n.isEmpty()).map(n -> "\"" + n + "\"").orElse("#" + rulen);
  }

  /** {@code requestName}: an HTTP match's {@code name} quoted, else {@code #n}. */
  private static String requestName(Node match, int matchn, boolean http) {
    Optional<String> name = http ? RawResource.text(match, "name") : Optional.empty();
    return name.filter(n -> !n.isEmpty()).map(n -> "\"" + n + "\"").orElse("#" + matchn);
  }

  private static Finding unreachable(RawResource vs, Node route, String rule, String reason) {
    return new Finding(
        MessageCode.VIRTUAL_SERVICE_UNREACHABLE_RULE,
        vs.displayName(),
        vs.source(),
        RawResource.line(route),
        "VirtualService rule " + rule + " not used (" + reason + ").");
  }

  private static Finding ineffective(
      RawResource vs, Node match, String rule, String matchName, String dup) {
    return new Finding(
        MessageCode.VIRTUAL_SERVICE_INEFFECTIVE_MATCH,
        vs.displayName(),
        vs.source(),
        RawResource.line(match),
        "VirtualService rule "
            + rule
            + " match "
            + matchName
            + " is not used (duplicate/overlapping match in rule "
            + dup
            + ").");
  }
}
