package dev.meshproof.runtime.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import dev.meshproof.runtime.policy.lb.LbPolicy;
import dev.meshproof.runtime.xds.XdsNames;
import io.envoyproxy.envoy.admin.v3.ClustersConfigDump;
import io.envoyproxy.envoy.admin.v3.ListenersConfigDump;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class XdsResourceHandlerTest {

  private static Address address(int port) {
    return Address.newBuilder()
        .setSocketAddress(SocketAddress.newBuilder().setAddress("127.0.0.1").setPortValue(port))
        .build();
  }

  private static Any edsCluster(String name, String serviceName) {
    Cluster.Builder cluster =
        Cluster.newBuilder()
            .setName(name)
            .setType(Cluster.DiscoveryType.EDS)
            .setLbPolicy(Cluster.LbPolicy.ROUND_ROBIN);
    if (!serviceName.isEmpty()) {
      cluster.getEdsClusterConfigBuilder().setServiceName(serviceName);
    }
    return Any.pack(cluster.build());
  }

  private static Any listener(String name, String rds) {
    HttpConnectionManager hcm =
        HttpConnectionManager.newBuilder()
            .setStreamIdleTimeout(com.google.protobuf.Duration.getDefaultInstance())
            .setStatPrefix("outbound")
            .setRds(Rds.newBuilder().setRouteConfigName(rds))
            .addHttpFilters(
                HttpFilter.newBuilder()
                    .setName("envoy.filters.http.router")
                    .setTypedConfig(Any.pack(Router.getDefaultInstance())))
            .build();
    return Any.pack(
        Listener.newBuilder()
            .setName(name)
            .setAddress(address(15001))
            .addFilterChains(
                FilterChain.newBuilder()
                    .addFilters(Filter.newBuilder().setTypedConfig(Any.pack(hcm))))
            .build());
  }

  private static Any routeConfig(String name, String cluster) {
    return Any.pack(
        RouteConfiguration.newBuilder()
            .setName(name)
            .addVirtualHosts(
                VirtualHost.newBuilder()
                    .setName("vh")
                    .addDomains("*")
                    .addRoutes(
                        Route.newBuilder()
                            .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                            .setRoute(
                                RouteAction.newBuilder()
                                    .setCluster(cluster)
                                    .setTimeout(Duration.getDefaultInstance()))))
            .build());
  }

  private static Any assignment(String name, int port) {
    return Any.pack(
        ClusterLoadAssignment.newBuilder()
            .setClusterName(name)
            .addEndpoints(
                LocalityLbEndpoints.newBuilder()
                    .addLbEndpoints(
                        LbEndpoint.newBuilder()
                            .setEndpoint(Endpoint.newBuilder().setAddress(address(port)))))
            .build());
  }

  @Test
  void envoysSubscriptionOrderIsWildcardsThenWhatTheyName() {
    assertThat(XdsResourceHandler.subscriptionOrder(XdsResourceHandler.ALL))
        .containsExactly(
            XdsNames.TYPE_CLUSTER,
            XdsNames.TYPE_LISTENER,
            XdsNames.TYPE_SECRET,
            XdsNames.TYPE_ENDPOINT,
            XdsNames.TYPE_ROUTE);
  }

  @Test
  void clustersAskForTheirEdsServiceNamesSortedAndDistinct() {
    var clusters = XdsResourceHandler.CLUSTERS;
    var decoded =
        clusters.decode(
            List.of(edsCluster("b", "svc-b"), edsCluster("a", ""), edsCluster("c", "svc-b")));
    XdsResources accepted = XdsResources.EMPTY.with(clusters, decoded);

    assertThat(decoded.get("a").config().lbPolicy()).isEqualTo(LbPolicy.ROUND_ROBIN);
    assertThat(clusters.followUpTypeUrl()).contains(XdsNames.TYPE_ENDPOINT);
    assertThat(clusters.followUpNames(accepted)).containsExactly("a", "svc-b");
  }

  @Test
  void listenersAskForTheRouteConfigsTheirChainsName() {
    var listeners = XdsResourceHandler.LISTENERS;
    XdsResources accepted =
        XdsResources.EMPTY.with(
            listeners, listeners.decode(List.of(listener("out", "80"), listener("in", "9080"))));

    assertThat(listeners.followUpTypeUrl()).contains(XdsNames.TYPE_ROUTE);
    assertThat(listeners.followUpNames(accepted)).containsExactly("80", "9080");
  }

  @Test
  void routesAndEndpointsAskForNothingMore() {
    assertThat(XdsResourceHandler.ROUTES.followUpTypeUrl()).isEmpty();
    assertThat(XdsResourceHandler.ENDPOINTS.followUpTypeUrl()).isEmpty();
    assertThat(XdsResourceHandler.ROUTES.wildcard()).isFalse();
    assertThat(XdsResourceHandler.ENDPOINTS.wildcard()).isFalse();
  }

  @Test
  void acceptedResourcesAssembleIntoOneConfigWithRoutesAndEndpointsResolved() {
    XdsResources resources =
        XdsResources.EMPTY
            .with(
                XdsResourceHandler.LISTENERS,
                XdsResourceHandler.LISTENERS.decode(List.of(listener("out", "80"))))
            .with(
                XdsResourceHandler.CLUSTERS,
                XdsResourceHandler.CLUSTERS.decode(List.of(edsCluster("c", "svc"))));

    ProxyConfig warming = resources.toProxyConfig(Map.of("CDS", "1"));
    assertThat(warming.listeners().get("out").routesResolved()).isFalse();
    // Envoy keeps an EDS cluster warming, out of service, until its first assignment arrives.
    assertThat(warming.clusters()).doesNotContainKey("c");

    ProxyConfig ready =
        resources
            .with(
                XdsResourceHandler.ROUTES,
                XdsResourceHandler.ROUTES.decode(List.of(routeConfig("80", "c"))))
            .with(
                XdsResourceHandler.ENDPOINTS,
                XdsResourceHandler.ENDPOINTS.decode(List.of(assignment("svc", 9001))))
            .toProxyConfig(Map.of("CDS", "1"));
    assertThat(ready.listeners().get("out").routesResolved()).isTrue();
    assertThat(ready.clusters().get("c").endpoints())
        .containsExactly(new InetSocketAddress("127.0.0.1", 9001));
    assertThat(ready.versions()).containsEntry("CDS", "1");
  }

  /**
   * A response that changes no cluster (here RDS) hands the sidecar the very cluster map it had,
   * and an EDS response that changes one assignment gives a new configuration to that cluster only:
   * the sidecar keeps an unchanged cluster's state by recognising its configuration
   * (UpstreamCluster).
   */
  @Test
  void onlyTheClustersWhoseResourceOrEndpointsChangedGetANewConfiguration() {
    var clusters = XdsResourceHandler.CLUSTERS.decode(List.of(edsCluster("a", "svc-a")));
    var moreClusters =
        new java.util.LinkedHashMap<>(
            XdsResourceHandler.CLUSTERS.decode(List.of(edsCluster("b", "svc-b"))));
    moreClusters.putAll(clusters);
    var endpoints =
        XdsResourceHandler.ENDPOINTS.decode(
            List.of(assignment("svc-a", 9001), assignment("svc-b", 9002)));
    XdsResources held =
        XdsResources.EMPTY
            .with(XdsResourceHandler.CLUSTERS, moreClusters)
            .with(XdsResourceHandler.ENDPOINTS, endpoints);
    ProxyConfig before = held.toProxyConfig(Map.of());

    XdsResources routed =
        held.with(
            XdsResourceHandler.ROUTES,
            XdsResourceHandler.ROUTES.decode(List.of(routeConfig("80", "a"))));
    assertThat(routed.toProxyConfig(Map.of()).clusters()).isSameAs(before.clusters());

    var newEndpoints = new java.util.LinkedHashMap<>(endpoints);
    newEndpoints.putAll(XdsResourceHandler.ENDPOINTS.decode(List.of(assignment("svc-b", 9003))));
    ProxyConfig after =
        routed.with(XdsResourceHandler.ENDPOINTS, newEndpoints).toProxyConfig(Map.of());
    assertThat(after.clusters().get("a")).isSameAs(before.clusters().get("a"));
    assertThat(after.clusters().get("b")).isNotSameAs(before.clusters().get("b"));
    assertThat(after.clusters().get("b").endpoints())
        .containsExactly(new InetSocketAddress("127.0.0.1", 9003));

    // A cluster CDS removes leaves; one it changes is assembled anew.
    ProxyConfig fewer =
        held.with(
                XdsResourceHandler.CLUSTERS,
                XdsResourceHandler.CLUSTERS.decode(List.of(edsCluster("a", "svc-a"))))
            .toProxyConfig(Map.of());
    assertThat(fewer.clusters()).containsOnlyKeys("a");
    assertThat(fewer.clusters().get("a")).isNotSameAs(before.clusters().get("a"));
  }

  /**
   * The race behind FirstRequestAfterSyncIT's rare 503 UH: the control plane answers the EDS watch
   * of the old subscription ({svc}) and the new one ({svc, svc-new}) at the same version, and the
   * narrower response arrives last. Envoy keeps svc-new's endpoints (an EDS update lacking a
   * cluster's assignment changes nothing); so must the sidecar.
   */
  @Test
  void anEdsClusterIsInServiceOnceAnAssignmentArrivedEvenAnEmptyOne() {
    XdsResources resources =
        XdsResources.EMPTY
            .with(
                XdsResourceHandler.CLUSTERS,
                XdsResourceHandler.CLUSTERS.decode(List.of(edsCluster("c", "svc"))))
            .with(
                XdsResourceHandler.ENDPOINTS,
                XdsResourceHandler.ENDPOINTS.decode(
                    List.of(
                        Any.pack(
                            ClusterLoadAssignment.newBuilder().setClusterName("svc").build()))));
    assertThat(resources.toProxyConfig(Map.of()).clusters().get("c").endpoints()).isEmpty();
  }

  @Test
  void aByNameResponseThatOmitsASubscribedResourceKeepsItsLastAcceptedValue() {
    var endpoints = XdsResourceHandler.ENDPOINTS;
    List<String> subscribed = List.of("svc", "svc-new");
    XdsResources resources =
        XdsResources.EMPTY
            .with(
                XdsResourceHandler.CLUSTERS,
                XdsResourceHandler.CLUSTERS.decode(
                    List.of(edsCluster("c", "svc"), edsCluster("c-new", "svc-new"))))
            .withResponse(
                endpoints,
                endpoints.decode(List.of(assignment("svc", 9001), assignment("svc-new", 9002))),
                subscribed)
            .withResponse(
                endpoints, endpoints.decode(List.of(assignment("svc", 9003))), subscribed);

    ProxyConfig config = resources.toProxyConfig(Map.of("EDS", "1"));
    assertThat(config.clusters().get("c").endpoints())
        .containsExactly(new InetSocketAddress("127.0.0.1", 9003));
    assertThat(config.clusters().get("c-new").endpoints())
        .containsExactly(new InetSocketAddress("127.0.0.1", 9002));

    // A name no longer subscribed is dropped; a wildcard response is the complete set.
    assertThat(
            resources
                .withResponse(endpoints, endpoints.decode(List.of()), List.of("svc"))
                .get(endpoints))
        .containsOnlyKeys("svc");
    assertThat(
            resources
                .withResponse(
                    XdsResourceHandler.CLUSTERS,
                    XdsResourceHandler.CLUSTERS.decode(List.of(edsCluster("c", "svc"))),
                    List.of())
                .get(XdsResourceHandler.CLUSTERS))
        .containsOnlyKeys("c");
  }

  @Test
  void aResourceOfTheWrongTypeIsNacked() {
    assertThatThrownBy(() -> XdsResourceHandler.ROUTES.decode(List.of(listener("out", "80"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("RDS: cannot decode");
  }

  @Test
  void eachTypeDumpsItsAcceptedResourcesWithTheirVersion() throws Exception {
    Any clusters = XdsResourceHandler.CLUSTERS.configDump(List.of(edsCluster("c", "")), "v7");
    Any listeners = XdsResourceHandler.LISTENERS.configDump(List.of(listener("out", "80")), "v3");

    ClustersConfigDump clusterDump = clusters.unpack(ClustersConfigDump.class);
    assertThat(clusterDump.getDynamicActiveClusters(0).getVersionInfo()).isEqualTo("v7");
    ListenersConfigDump listenerDump = listeners.unpack(ListenersConfigDump.class);
    assertThat(listenerDump.getDynamicListeners(0).getName()).isEqualTo("out");
    assertThat(listenerDump.getDynamicListeners(0).getActiveState().getVersionInfo())
        .isEqualTo("v3");
  }
}
