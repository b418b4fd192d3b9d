package dev.meshproof.runtime.xds;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.runtime.config.IstioResource;
import dev.meshproof.runtime.config.IstioYamlParser;
import dev.meshproof.runtime.config.StringMatch;
import dev.meshproof.runtime.config.StringMatch.Kind;
import dev.meshproof.runtime.config.VirtualService;
import dev.meshproof.runtime.config.VirtualService.HttpMatchRequest;
import dev.meshproof.runtime.config.VirtualService.HttpRoute;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * Delegate VirtualServices merged into their roots as istiod merges them (pilot/pkg/model
 * virtualservice.go and virtualservice_controller.go): which delegate rules survive, what they
 * inherit, and which root rules are dropped with a warning.
 */
class VirtualServiceDelegationTest {

  private static final String ROOT =
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: catalog}
      spec:
        hosts: [catalog]
        http:
        - name: api
          match:
          - uri: {prefix: /api}
            headers: {x-tenant: {exact: a}}
          timeout: 3s
          headers:
            response:
              set: {x-root: api}
          delegate: {name: catalog-api}
        - name: team
          match: [{uri: {prefix: /team}}]
          delegate: {name: catalog-team, namespace: team}
        - name: missing
          delegate: {name: nowhere}
        - name: default
          route: [{destination: {host: catalog, subset: v1}}]
      ---
      """;

  private static final String API =
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: catalog-api}
      spec:
        http:
        - name: v2
          match: [{uri: {prefix: /api/v2}}]
          route: [{destination: {host: catalog, subset: v2}}]
        - name: other
          match: [{uri: {prefix: /other}}]
          route: [{destination: {host: catalog, subset: v2}}]
        - timeout: 1s
          route: [{destination: {host: catalog, subset: v1}}]
      ---
      """;

  private static final String TEAM =
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: catalog-team, namespace: team}
      spec:
        exportTo: [%s]
        http:
        - route: [{destination: {host: catalog, subset: v2}}]
      """;

  private static VirtualServiceDelegation.Merged merge(String yaml) {
    List<VirtualService> vss =
        IstioYamlParser.parse(yaml, "vs.yaml", "default").stream()
            .map(VirtualService.class::cast)
            .toList();
    return VirtualServiceDelegation.merge(vss);
  }

  @Test
  void delegateRulesReplaceTheRootRuleAndInheritWhatTheyDoNotSet() {
    VirtualServiceDelegation.Merged merged = merge(ROOT + API + TEAM.formatted("\"*\""));
    assertThat(merged.virtualServices()).hasSize(1);
    VirtualService root = merged.virtualServices().get(0);
    assertThat(root.http())
        .extracting(HttpRoute::name)
        .containsExactly("api-v2", "api", "team", "default");

    HttpRoute v2 = root.http().get(0);
    assertThat(v2.match()).hasSize(1);
    HttpMatchRequest match = v2.match().get(0);
    assertThat(match.uri()).contains(new StringMatch(Kind.PREFIX, "/api/v2"));
    assertThat(match.headers()).containsEntry("x-tenant", new StringMatch(Kind.EXACT, "a"));
    assertThat(v2.timeout()).contains(Duration.ofSeconds(3));
    assertThat(v2.actions().headers().response().set()).containsEntry("x-root", "api");
    assertThat(v2.delegate()).isEmpty();
    // short names of a delegate resolve in the delegate's namespace
    assertThat(v2.route().get(0).destination().host())
        .isEqualTo("catalog.default.svc.cluster.local");

    HttpRoute rest = root.http().get(1);
    assertThat(rest.match().get(0).uri()).contains(new StringMatch(Kind.PREFIX, "/api"));
    assertThat(rest.timeout())
        .as("the delegate's own timeout wins")
        .contains(Duration.ofSeconds(1));

    assertThat(root.http().get(2).route().get(0).destination().host())
        .isEqualTo("catalog.team.svc.cluster.local");
    assertThat(merged.warnings())
        .containsExactly(
            "HTTPMatchRequests conflict: root route api of default/catalog, delegate route other"
                + " of default/catalog-api: the delegate route is ignored (each of its match"
                + " blocks must lie within one of the root's)",
            "delegate virtual service default/nowhere of default/catalog not found: its rule"
                + " missing is ignored");
  }

  @Test
  void aDelegateNotExportedToTheRootsNamespaceIsIgnored() {
    for (String exportTo : List.of("\".\"", "team", "other")) {
      VirtualServiceDelegation.Merged merged = merge(ROOT + API + TEAM.formatted(exportTo));
      assertThat(merged.virtualServices().get(0).http())
          .as(exportTo)
          .extracting(HttpRoute::name)
          .containsExactly("api-v2", "api", "default");
      assertThat(merged.warnings())
          .as(exportTo)
          .contains(
              "delegate virtual service team/catalog-team of default/catalog is not exported to"
                  + " default: its rule team is ignored");
    }
    assertThat(merge(ROOT + API + TEAM.formatted("default")).virtualServices().get(0).http())
        .extracting(HttpRoute::name)
        .contains("team");
  }

  @Test
  void aDelegateAloneRoutesNothingAndOtherVirtualServicesAreUntouched() {
    String plain =
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews}
        spec:
          hosts: [reviews]
          http:
          - route: [{destination: {host: reviews}}]
        ---
        """;
    List<IstioResource> parsed = IstioYamlParser.parse(plain + API, "vs.yaml", "default");
    VirtualServiceDelegation.Merged merged =
        VirtualServiceDelegation.merge(parsed.stream().map(VirtualService.class::cast).toList());
    assertThat(merged.virtualServices()).containsExactly((VirtualService) parsed.get(0));
    assertThat(merged.warnings()).isEmpty();
  }

  private static Optional<StringMatch> m(Kind kind, String value) {
    return Optional.of(new StringMatch(kind, value));
  }

  @Test
  void stringMatchConflictAsIstiod() {
    // no conflict when either side is unset
    assertThat(VirtualServiceDelegation.conflict(Optional.empty(), m(Kind.REGEX, "a.*"))).isFalse();
    assertThat(VirtualServiceDelegation.conflict(m(Kind.EXACT, "/a"), Optional.empty())).isFalse();
    // exact root: only the same exact value
    assertThat(VirtualServiceDelegation.conflict(m(Kind.EXACT, "/a"), m(Kind.EXACT, "/a")))
        .isFalse();
    assertThat(VirtualServiceDelegation.conflict(m(Kind.EXACT, "/a"), m(Kind.EXACT, "/b")))
        .isTrue();
    assertThat(VirtualServiceDelegation.conflict(m(Kind.EXACT, "/a"), m(Kind.PREFIX, "/a")))
        .isTrue();
    // prefix root: a prefix or exact value starting with it
    assertThat(VirtualServiceDelegation.conflict(m(Kind.PREFIX, "/a"), m(Kind.PREFIX, "/a/b")))
        .isFalse();
    assertThat(VirtualServiceDelegation.conflict(m(Kind.PREFIX, "/a"), m(Kind.EXACT, "/ab")))
        .isFalse();
    assertThat(VirtualServiceDelegation.conflict(m(Kind.PREFIX, "/a/b"), m(Kind.PREFIX, "/a")))
        .isTrue();
    // regex on either side conflicts with any match; an empty prefix root or a presence match
    // admits nothing
    assertThat(VirtualServiceDelegation.conflict(m(Kind.REGEX, "/a.*"), m(Kind.REGEX, "/a.*")))
        .isTrue();
    assertThat(VirtualServiceDelegation.conflict(m(Kind.PREFIX, "/a"), m(Kind.REGEX, "/a.*")))
        .isTrue();
    assertThat(VirtualServiceDelegation.conflict(m(Kind.PREFIX, ""), m(Kind.PREFIX, "/a")))
        .isTrue();
    assertThat(
            VirtualServiceDelegation.conflict(
                Optional.of(StringMatch.present()), m(Kind.EXACT, "x")))
        .isTrue();
  }

  @Test
  void matchBlocksMergeWithEveryRootBlockTheyFitAndConflictWhenTheyFitNone() {
    HttpMatchRequest a = block("ra", "/a", OptionalInt.empty(), Map.of());
    HttpMatchRequest b = block("rb", "/b", OptionalInt.of(80), Map.of());
    HttpMatchRequest any = block("leaf", "", OptionalInt.empty(), Map.of("x", "1"));
    // a delegate block without uri fits both root blocks: merged with each
    assertThat(VirtualServiceDelegation.mergeMatches(List.of(a, b), List.of(any)).orElseThrow())
        .extracting(HttpMatchRequest::name, r -> r.uri().orElseThrow().value(), r -> r.port())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("ra-leaf", "/a", OptionalInt.empty()),
            org.assertj.core.groups.Tuple.tuple("rb-leaf", "/b", OptionalInt.of(80)));
    HttpMatchRequest c = block("", "/c", OptionalInt.empty(), Map.of());
    assertThat(VirtualServiceDelegation.mergeMatches(List.of(a, b), List.of(any, c))).isEmpty();
    assertThat(VirtualServiceDelegation.mergeMatches(List.of(), List.of(c))).contains(List.of(c));
    assertThat(VirtualServiceDelegation.mergeMatches(List.of(a), List.of())).contains(List.of(a));
    // ports and source labels must agree
    assertThat(
            VirtualServiceDelegation.hasConflict(b, block("", "/b", OptionalInt.of(81), Map.of())))
        .isTrue();
  }

  private static HttpMatchRequest block(
      String name, String prefix, OptionalInt port, Map<String, String> sourceLabels) {
    return new HttpMatchRequest(
        name,
        prefix.isEmpty() ? Optional.empty() : m(Kind.PREFIX, prefix),
        Optional.empty(),
        Optional.empty(),
        Map.of(),
        Map.of(),
        false,
        Optional.empty(),
        Map.of(),
        port,
        sourceLabels,
        Optional.empty());
  }
}
