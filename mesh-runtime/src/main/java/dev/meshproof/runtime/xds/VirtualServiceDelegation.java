package dev.meshproof.runtime.xds;

import dev.meshproof.runtime.config.Destination;
import dev.meshproof.runtime.config.StringMatch;
import dev.meshproof.runtime.config.VirtualService;
import dev.meshproof.runtime.config.VirtualService.HttpMatchRequest;
import dev.meshproof.runtime.config.VirtualService.HttpMirror;
import dev.meshproof.runtime.config.VirtualService.HttpRoute;
import dev.meshproof.runtime.config.VirtualService.RouteActions;
import dev.meshproof.runtime.config.VirtualService.RouteDestination;
import dev.meshproof.runtime.registry.Hostnames;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Istio's <a
 * href="https://istio.io/latest/docs/reference/config/networking/virtual-service/#Delegate">delegate
 * VirtualServices</a>, merged as istiod merges them before any translation ({@code
 * mergeVirtualServices} in pilot/pkg/model/virtualservice_controller.go, {@code MergeHTTPRoutes},
 * {@code mergeHTTPRoute}, {@code mergeHTTPMatchRequests}, {@code hasConflict} and {@code
 * stringMatchConflict} in pilot/pkg/model/virtualservice.go, istio/istio {@code 86c9f01f}):
 *
 * <ul>
 *   <li>a VirtualService without hosts is a delegate: it routes nothing by itself, and is dropped
 *       from the output;
 *   <li>each root rule with {@code delegate} is replaced by the delegate's rules, each merged with
 *       the root rule: the delegate's match blocks must each lie within one of the root's (else
 *       that delegate rule is dropped), match fields and the rule's timeout, retries, fault,
 *       mirrors, CORS, rewrite, direct response and headers are inherited when the delegate rule
 *       does not set them, names are joined with {@code -};
 *   <li>a delegate that does not exist, or is not exported to the root's namespace ({@code
 *       exportTo}, default public), drops only that root rule, with a warning as istiod logs one.
 * </ul>
 *
 * <p>One difference from istiod: Meshproof reads {@code mirror} + {@code mirrorPercentage} as one
 * mirror list, so a delegate rule inherits the root's mirrors only when it sets none at all (istiod
 * inherits {@code mirror} and {@code mirrorPercentage} separately).
 */
public final class VirtualServiceDelegation {

  /** The VirtualServices after merging, in their input order, and what istiod would warn about. */
  public record Merged(List<VirtualService> virtualServices, List<String> warnings) {
    public Merged {
      virtualServices = List.copyOf(virtualServices);
      warnings = List.copyOf(warnings);
    }
  }

  private VirtualServiceDelegation() {}

  /**
   * Merges delegates into their roots. The result holds every VirtualService with hosts (roots
   * merged, the others unchanged) in input order; delegates are gone.
   */
  public static Merged merge(List<VirtualService> virtualServices) {
    Map<String, VirtualService> delegates = new HashMap<>();
    for (VirtualService vs : virtualServices) {
      if (vs.isDelegate()) {
        delegates.put(key(vs.meta().namespace(), vs.meta().name()), vs);
      }
    }
    List<VirtualService> out = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    for (VirtualService vs : virtualServices) {
      if (vs.isDelegate()) {
        continue;
      }
      if (vs.http().stream().noneMatch(r -> r.delegate().isPresent())) {
        out.add(vs);
        continue;
      }
      String rootNamespace = vs.meta().namespace();
      String root = rootNamespace + "/" + vs.meta().name();
      List<HttpRoute> merged = new ArrayList<>();
      for (HttpRoute rule : vs.http()) {
        if (rule.delegate().isEmpty()) {
          merged.add(rule);
          continue;
        }
        VirtualService.Delegate ref = rule.delegate().get();
        String namespace = ref.namespace().orElse(rootNamespace);
        VirtualService delegate = delegates.get(key(namespace, ref.name()));
        if (delegate == null) {
          warnings.add(
              "delegate virtual service "
                  + namespace
                  + "/"
                  + ref.name()
                  + " of "
                  + root
                  + " not found: its rule "
                  + describe(rule)
                  + " is ignored");
          continue;
        }
        if (!exportedTo(delegate, rootNamespace)) {
          warnings.add(
              "delegate virtual service "
                  + namespace
                  + "/"
                  + ref.name()
                  + " of "
                  + root
                  + " is not exported to "
                  + rootNamespace
                  + ": its rule "
                  + describe(rule)
                  + " is ignored");
          continue;
        }
        for (HttpRoute leaf : delegate.http()) {
          Optional<HttpRoute> one = mergeHttpRoute(rule, resolveHosts(leaf, namespace));
          if (one.isPresent()) {
            merged.add(one.get());
          } else {
            warnings.add(
                "HTTPMatchRequests conflict: root route "
                    + describe(rule)
                    + " of "
                    + root
                    + ", delegate route "
                    + describe(leaf)
                    + " of "
                    + namespace
                    + "/"
                    + ref.name()
                    + ": the delegate route is ignored (each of its match blocks must lie within"
                    + " one of the root's)");
          }
        }
      }
      out.add(
          new VirtualService(
              vs.meta(), vs.hosts(), vs.gateways(), merged, vs.exportTo(), vs.tcp(), vs.tls()));
    }
    return new Merged(out, warnings);
  }

  private static String key(String namespace, String name) {
    return namespace + "/" + name;
  }

  private static String describe(HttpRoute rule) {
    return rule.name().isEmpty() ? "(unnamed)" : rule.name();
  }

  /**
   * istiod's check that the delegate is visible to the root's namespace: its {@code exportTo}
   * ({@code .} = its own namespace; none = the mesh default, public) holds {@code *} or that
   * namespace.
   */
  private static boolean exportedTo(VirtualService delegate, String namespace) {
    List<String> exportTo = delegate.exportTo();
    if (exportTo.isEmpty() || exportTo.contains("*")) {
      return true;
    }
    return exportTo.stream()
        .map(e -> e.equals(".") ? delegate.meta().namespace() : e)
        .anyMatch(namespace::equals);
  }

  /**
   * The delegate's destinations as istiod reads them ({@code ResolveVirtualServiceShortnames} on
   * the delegate): short names resolve in the delegate's namespace, not the root's.
   */
  private static HttpRoute resolveHosts(HttpRoute rule, String namespace) {
    List<RouteDestination> route =
        rule.route().stream()
            .map(
                d ->
                    new RouteDestination(
                        resolve(d.destination(), namespace), d.weight(), d.headers()))
            .toList();
    List<HttpMirror> mirrors =
        rule.mirrors().stream()
            .map(m -> new HttpMirror(resolve(m.destination(), namespace), m.percentage()))
            .toList();
    return new HttpRoute(
        rule.name(),
        rule.match(),
        route,
        rule.timeout(),
        rule.retries(),
        rule.actions(),
        mirrors,
        rule.fault(),
        rule.corsPolicy(),
        rule.delegate());
  }

  private static Destination resolve(Destination d, String namespace) {
    return new Destination(Hostnames.resolve(d.host(), namespace), d.subset(), d.port());
  }

  /** istiod's {@code mergeHTTPRoute}: empty when the match blocks conflict. */
  static Optional<HttpRoute> mergeHttpRoute(HttpRoute root, HttpRoute delegate) {
    Optional<List<HttpMatchRequest>> match = mergeMatches(root.match(), delegate.match());
    if (match.isEmpty()) {
      return Optional.empty();
    }
    RouteActions r = root.actions();
    RouteActions d = delegate.actions();
    RouteActions actions =
        new RouteActions(
            d.rewrite().or(r::rewrite),
            d.redirect(),
            d.directResponse().or(r::directResponse),
            d.headers().isEmpty() ? r.headers() : d.headers());
    return Optional.of(
        new HttpRoute(
            joinNames(root.name(), delegate.name()),
            match.get(),
            delegate.route(),
            delegate.timeout().or(root::timeout),
            delegate.retries().or(root::retries),
            actions,
            delegate.mirrors().isEmpty() ? root.mirrors() : delegate.mirrors(),
            delegate.fault().or(root::fault),
            delegate.corsPolicy().or(root::corsPolicy),
            Optional.empty()));
  }

  private static String joinNames(String root, String delegate) {
    if (delegate.isEmpty()) {
      return root;
    }
    return root.isEmpty() ? delegate : root + "-" + delegate;
  }

  /**
   * istiod's {@code mergeHTTPMatchRequests}: with no match on one side, the other side's; else each
   * delegate block merged with every root block it does not conflict with, and empty (conflict)
   * when a delegate block fits none.
   */
  static Optional<List<HttpMatchRequest>> mergeMatches(
      List<HttpMatchRequest> root, List<HttpMatchRequest> delegate) {
    if (root.isEmpty()) {
      return Optional.of(delegate);
    }
    if (delegate.isEmpty()) {
      return Optional.of(root);
    }
    List<HttpMatchRequest> out = new ArrayList<>();
    for (HttpMatchRequest leaf : delegate) {
      boolean found = false;
      for (HttpMatchRequest rootMatch : root) {
        if (hasConflict(rootMatch, leaf)) {
          continue;
        }
        out.add(mergeMatch(rootMatch, leaf));
        found = true;
      }
      if (!found) {
        return Optional.empty();
      }
    }
    return out.isEmpty() ? Optional.empty() : Optional.of(out);
  }

  /** istiod's {@code mergeHTTPMatchRequest}: the delegate's block, filled in from the root's. */
  static HttpMatchRequest mergeMatch(HttpMatchRequest root, HttpMatchRequest leaf) {
    return new HttpMatchRequest(
        joinNames(root.name(), leaf.name()),
        leaf.uri().or(root::uri),
        leaf.method().or(root::method),
        leaf.authority().or(root::authority),
        mergeMaps(root.headers(), leaf.headers()),
        mergeMaps(root.withoutHeaders(), leaf.withoutHeaders()),
        leaf.ignoreUriCase(),
        leaf.scheme().or(root::scheme),
        mergeMaps(root.queryParams(), leaf.queryParams()),
        leaf.port().isPresent() ? leaf.port() : root.port(),
        mergeMaps(root.sourceLabels(), leaf.sourceLabels()),
        leaf.sourceNamespace().or(root::sourceNamespace));
  }

  private static <V> Map<String, V> mergeMaps(Map<String, V> root, Map<String, V> leaf) {
    Map<String, V> out = new LinkedHashMap<>(root);
    out.putAll(leaf);
    return out;
  }

  /** istiod's {@code hasConflict}: whether {@code leaf} does not lie within {@code root}. */
  static boolean hasConflict(HttpMatchRequest root, HttpMatchRequest leaf) {
    if (conflict(root.uri(), leaf.uri())
        || conflict(root.scheme(), leaf.scheme())
        || conflict(root.method(), leaf.method())
        || conflict(root.authority(), leaf.authority())) {
      return true;
    }
    for (Map.Entry<String, StringMatch> e : leaf.headers().entrySet()) {
      if (conflict(
          Optional.ofNullable(root.headers().get(e.getKey())), Optional.of(e.getValue()))) {
        return true;
      }
    }
    for (Map.Entry<String, StringMatch> e : leaf.withoutHeaders().entrySet()) {
      if (conflict(
          Optional.ofNullable(root.withoutHeaders().get(e.getKey())), Optional.of(e.getValue()))) {
        return true;
      }
    }
    for (Map.Entry<String, StringMatch> e : leaf.queryParams().entrySet()) {
      if (conflict(
          Optional.ofNullable(root.queryParams().get(e.getKey())), Optional.of(e.getValue()))) {
        return true;
      }
    }
    if (root.ignoreUriCase() != leaf.ignoreUriCase()) {
      return true;
    }
    OptionalInt rootPort = root.port();
    OptionalInt leafPort = leaf.port();
    if (rootPort.isPresent()
        && leafPort.isPresent()
        && rootPort.getAsInt() != leafPort.getAsInt()) {
      return true;
    }
    if (root.sourceNamespace().isPresent()
        && !root.sourceNamespace().equals(leaf.sourceNamespace())) {
      return true;
    }
    for (Map.Entry<String, String> e : leaf.sourceLabels().entrySet()) {
      String value = root.sourceLabels().get(e.getKey());
      if (value != null && !value.equals(e.getValue())) {
        return true;
      }
    }
    return false;
  }

  /**
   * istiod's {@code stringMatchConflict}: no conflict when either side is unset; a regex on either
   * side conflicts with any match on the other; an exact root admits only the same exact value; a
   * prefix root admits a prefix or exact value that starts with it; anything else (a presence
   * match, an empty prefix) conflicts.
   */
  static boolean conflict(Optional<StringMatch> rootMatch, Optional<StringMatch> leafMatch) {
    if (rootMatch.isEmpty() || leafMatch.isEmpty()) {
      return false;
    }
    StringMatch root = rootMatch.get();
    StringMatch leaf = leafMatch.get();
    if (!get(root, StringMatch.Kind.REGEX).isEmpty() && matchesAnything(leaf)) {
      return true;
    }
    if (!get(leaf, StringMatch.Kind.REGEX).isEmpty() && matchesAnything(root)) {
      return true;
    }
    String exact = get(root, StringMatch.Kind.EXACT);
    if (!exact.isEmpty()) {
      return !get(leaf, StringMatch.Kind.PREFIX).isEmpty()
          || !Objects.equals(get(leaf, StringMatch.Kind.EXACT), exact);
    }
    String prefix = get(root, StringMatch.Kind.PREFIX);
    if (!prefix.isEmpty()) {
      if (!get(leaf, StringMatch.Kind.PREFIX).isEmpty()) {
        return !get(leaf, StringMatch.Kind.PREFIX).startsWith(prefix);
      }
      if (!get(leaf, StringMatch.Kind.EXACT).isEmpty()) {
        return !get(leaf, StringMatch.Kind.EXACT).startsWith(prefix);
      }
    }
    return true;
  }

  /** Go's {@code GetExact()}/{@code GetPrefix()}/{@code GetRegex()}: "" unless of that kind. */
  private static String get(StringMatch m, StringMatch.Kind kind) {
    return m.kind() == kind ? m.value() : "";
  }

  private static boolean matchesAnything(StringMatch m) {
    return !get(m, StringMatch.Kind.REGEX).isEmpty()
        || !get(m, StringMatch.Kind.PREFIX).isEmpty()
        || !get(m, StringMatch.Kind.EXACT).isEmpty();
  }
}
