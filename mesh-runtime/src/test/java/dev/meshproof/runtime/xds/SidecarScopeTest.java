package dev.meshproof.runtime.xds;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.runtime.config.IstioYamlParser;
import dev.meshproof.runtime.config.Sidecar;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SidecarScopeTest {
  private static final List<Sidecar> SIDECARS =
      IstioYamlParser.parse(
              """
              apiVersion: networking.istio.io/v1
              kind: Sidecar
              metadata: {name: default, namespace: istio-system}
              spec:
                egress: [{hosts: [./*, istio-system/*]}]
              ---
              apiVersion: networking.istio.io/v1
              kind: Sidecar
              metadata: {name: shop-default, namespace: shop}
              spec:
                egress: [{hosts: ["*/*.example.com", "~/*"]}]
              ---
              apiVersion: networking.istio.io/v1
              kind: Sidecar
              metadata: {name: reviews, namespace: shop}
              spec:
                workloadSelector: {labels: {app: reviews}}
                egress: [{hosts: [./ratings.shop.svc.cluster.local]}]
              """,
              "sidecars.yaml",
              "default")
          .stream()
          .map(Sidecar.class::cast)
          .toList();

  @Test
  void aSelectingSidecarWinsOverTheNamespacesWhichWinsOverTheRootNamespaces() {
    assertThat(SidecarScope.forProxy("shop", Map.of("app", "reviews"), SIDECARS).sidecar())
        .isEqualTo("shop/reviews");
    assertThat(SidecarScope.forProxy("shop", Map.of("app", "cart"), SIDECARS).sidecar())
        .isEqualTo("shop/shop-default");
    assertThat(SidecarScope.forProxy("web", Map.of(), SIDECARS).sidecar())
        .isEqualTo("istio-system/default");
    assertThat(SidecarScope.forProxy("web", Map.of(), List.of()).sidecar()).isEmpty();
  }

  @Test
  void egressHostsMatchNamespaceAndHostAsIstioWritesThem() {
    SidecarScope reviews = SidecarScope.forProxy("shop", Map.of("app", "reviews"), SIDECARS);
    assertThat(reviews.allows("shop", "ratings.shop.svc.cluster.local")).isTrue();
    assertThat(reviews.allows("shop", "details.shop.svc.cluster.local")).isFalse();
    assertThat(reviews.allows("web", "ratings.shop.svc.cluster.local")).isFalse();

    SidecarScope cart = SidecarScope.forProxy("shop", Map.of("app", "cart"), SIDECARS);
    assertThat(cart.allows("any", "api.example.com")).isTrue();
    assertThat(cart.allows("any", "example.com")).isFalse();
    assertThat(cart.allows("shop", "cart.shop.svc.cluster.local"))
        .as("~ is no namespace")
        .isFalse();

    // The root namespace's default: "." is the proxy's own namespace.
    SidecarScope web = SidecarScope.forProxy("web", Map.of(), SIDECARS);
    assertThat(web.allows("web", "a.web.svc.cluster.local")).isTrue();
    assertThat(web.allows("istio-system", "istiod.istio-system.svc.cluster.local")).isTrue();
    assertThat(web.allows("shop", "a.shop.svc.cluster.local")).isFalse();
    assertThat(SidecarScope.everything("web").allows("shop", "a.shop.svc.cluster.local")).isTrue();
  }

  @Test
  void aVirtualServiceIsImportedByTheEgressHostsOfItsOwnNamespace() {
    SidecarScope reviews = SidecarScope.forProxy("shop", Map.of("app", "reviews"), SIDECARS);
    String ratings = "ratings.shop.svc.cluster.local";
    assertThat(reviews.allowsVirtualService("shop", List.of(ratings))).isTrue();
    assertThat(reviews.allowsVirtualService("routes", List.of(ratings)))
        .as("the same host, written by a VirtualService of another namespace")
        .isFalse();
    assertThat(reviews.allowsVirtualService("shop", List.of("details.shop.svc.cluster.local")))
        .isFalse();
    assertThat(reviews.allowsVirtualService("shop", List.of("*.shop.svc.cluster.local")))
        .as("a wildcard VirtualService host matching an egress host")
        .isTrue();

    SidecarScope cart = SidecarScope.forProxy("shop", Map.of("app", "cart"), SIDECARS);
    assertThat(cart.allowsVirtualService("anywhere", List.of("api.example.com"))).isTrue();
    assertThat(cart.allowsVirtualService("anywhere", List.of("example.org"))).isFalse();
    assertThat(SidecarScope.everything("web").allowsVirtualService("x", List.of("a.b"))).isTrue();
  }
}
