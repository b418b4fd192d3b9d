package dev.meshproof.runtime.xds;

import com.google.protobuf.BoolValue;
import com.google.protobuf.UInt32Value;
import dev.meshproof.runtime.config.VirtualService;
import dev.meshproof.runtime.config.VirtualService.HttpRoute;
import dev.meshproof.runtime.config.VirtualService.RouteDestination;
import dev.meshproof.runtime.registry.Hostnames;
import dev.meshproof.runtime.registry.ServiceInstance;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatchAndSubstitute;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The route actions of {@link RouteConfigBuilder}'s routes: the base action (the profile's route
 * timeout, also as {@code max_grpc_timeout}), and a VirtualService rule's action as istiod's {@code
 * applyHTTPRouteDestination} (route/route.go) builds it: timeout, rewrite, retry policy ({@link
 * RetryPolicyBuilder}), mirrors, then the destination's cluster or the weighted clusters with their
 * hash policies ({@link HashPolicyBuilder}).
 */
final class RouteActionBuilder {
  private final TranslationInput input;
  private final HashPolicyBuilder hashPolicies;
  private final RetryPolicyBuilder retryPolicies;

  RouteActionBuilder(
      TranslationInput input, HashPolicyBuilder hashPolicies, RetryPolicyBuilder retryPolicies) {
    this.input = input;
    this.hashPolicies = hashPolicies;
    this.retryPolicies = retryPolicies;
  }

  RouteAction.Builder routeAction() {
    // Istio disables Envoy's 15 s default route timeout unless the VirtualService sets one: the
    // profile's route timeout is zero.
    return withMaxGrpcTimeout(
        RouteAction.newBuilder().setTimeout(XdsProtos.duration(input.profile().routeTimeout())));
  }

  /**
   * istiod's {@code setTimeout} (route/route.go): {@code max_grpc_timeout} equal to the route's
   * timeout (the deprecated field, "as the replacement MaxStreamDuration has some regressions"), so
   * a gRPC call's {@code grpc-timeout} applies, capped by a VirtualService timeout.
   */
  @SuppressWarnings("deprecation")
  private static RouteAction.Builder withMaxGrpcTimeout(RouteAction.Builder action) {
    return action.setMaxGrpcTimeout(action.getTimeout());
  }

  RouteAction.Builder routeAction(
      HttpRoute rule,
      String namespace,
      ServiceKey self,
      Map<ServiceKey, List<ServiceInstance>> services,
      String headerAuthority,
      Route.Builder route) {
    RouteAction.Builder action = routeAction();
    // istiod setTimeout (route/route.go :1331): the rule's timeout, else disabled (0s).
    rule.timeout().ifPresent(t -> withMaxGrpcTimeout(action.setTimeout(XdsProtos.duration(t))));
    // istiod applyHTTPRouteDestination: uriRegexRewrite as regex_rewrite, else uri as
    // prefix_rewrite; the authority from rewrite over the one from headers, as
    // host_rewrite_literal.
    String authority = headerAuthority;
    if (rule.actions().rewrite().isPresent()) {
      VirtualService.HttpRewrite rewrite = rule.actions().rewrite().get();
      if (rewrite.uriRegexRewrite().isPresent()) {
        action.setRegexRewrite(
            RegexMatchAndSubstitute.newBuilder()
                .setPattern(
                    RegexMatcher.newBuilder().setRegex(rewrite.uriRegexRewrite().get().match()))
                .setSubstitution(rewrite.uriRegexRewrite().get().rewrite()));
      } else {
        rewrite.uri().ifPresent(action::setPrefixRewrite);
      }
      if (rewrite.authority().isPresent()) {
        authority = rewrite.authority().get();
      }
    }
    if (!authority.isEmpty()) {
      action.setHostRewriteLiteral(authority);
    }
    // istiod applyHTTPRouteDestination: only a single destination with a consistent hash drops the
    // previous-hosts retry predicate (ConvertPolicy(policy, consistentHash)).
    boolean hashed =
        rule.route().size() == 1
            && hashPolicies.hashPolicy(rule.route().get(0), namespace).isPresent();
    retryPolicies.retryPolicy(rule.retries(), hashed).ifPresent(action::setRetryPolicy);
    action.addAllRequestMirrorPolicies(mirrorPolicies(rule, namespace, self, services));
    // istiod (applyHTTPRouteDestination): one destination is a plain cluster whatever its weight;
    // with more, weight-0 destinations are dropped and the raw weights are emitted, without
    // normalisation and without total_weight, so each cluster gets weight / sum.
    if (rule.route().size() == 1) {
      RouteDestination only = rule.route().get(0);
      // processDestination: the destination's header operations follow the rule's on the route;
      // its authority only when the rule rewrote none.
      HeaderOps ops = HeaderOps.of(only.headers());
      ops.applyTo(route);
      if (!ops.authority().isEmpty() && !action.hasHostRewriteLiteral()) {
        action.setHostRewriteLiteral(ops.authority());
      }
      return hashPolicies.withHash(
          action.setCluster(clusterName(only, namespace, self, services)),
          hashPolicies.hashPolicy(only, namespace));
    }
    WeightedCluster.Builder weighted = WeightedCluster.newBuilder();
    for (RouteDestination destination : rule.route()) {
      int weight = destination.weight().orElse(0);
      if (weight == 0) {
        continue;
      }
      WeightedCluster.ClusterWeight.Builder cluster =
          WeightedCluster.ClusterWeight.newBuilder()
              .setName(clusterName(destination, namespace, self, services))
              .setWeight(UInt32Value.of(weight));
      // processWeightedDestination: the destination's operations on its cluster weight.
      HeaderOps ops = HeaderOps.of(destination.headers());
      ops.applyTo(cluster);
      if (!ops.authority().isEmpty()) {
        cluster.setHostRewriteLiteral(ops.authority());
      }
      weighted.addClusters(cluster);
      // processWeightedDestination: each hashed destination appends its hash policy.
      hashPolicies.withHash(action, hashPolicies.hashPolicy(destination, namespace));
    }
    return action.setWeightedClusters(weighted);
  }

  /**
   * istiod's {@code TranslateRequestMirrorPolicy} (route/route.go :664, :1437): one policy per
   * mirror, to the mirror destination's cluster, with {@code runtime_fraction} from {@code
   * MirrorPercent}/{@code MirrorPercentByPolicy} (none given: 100 per HUNDRED; {@code value}:
   * {@code value * 10000} per MILLION; an explicit 0: no policy), {@code trace_sampled: false}, and
   * {@code disable_shadow_host_suffix_append} from the profile (true from Istio 1.28).
   */
  private List<RouteAction.RequestMirrorPolicy> mirrorPolicies(
      HttpRoute rule,
      String namespace,
      ServiceKey self,
      Map<ServiceKey, List<ServiceInstance>> services) {
    List<RouteAction.RequestMirrorPolicy> out = new ArrayList<>();
    for (VirtualService.HttpMirror mirror : rule.mirrors()) {
      FractionalPercent percent;
      if (mirror.percentage().isEmpty()) {
        percent =
            FractionalPercent.newBuilder()
                .setNumerator(100)
                .setDenominator(FractionalPercent.DenominatorType.HUNDRED)
                .build();
      } else if (mirror.percentage().getAsDouble() > 0) {
        percent = FaultTranslation.perMillion(mirror.percentage().getAsDouble());
      } else {
        continue;
      }
      out.add(
          RouteAction.RequestMirrorPolicy.newBuilder()
              .setCluster(
                  clusterName(
                      new RouteDestination(mirror.destination(), java.util.OptionalInt.empty()),
                      namespace,
                      self,
                      services))
              .setRuntimeFraction(RuntimeFractionalPercent.newBuilder().setDefaultValue(percent))
              .setTraceSampled(BoolValue.of(false))
              .setDisableShadowHostSuffixAppend(input.profile().disableShadowHostSuffix())
              .build());
    }
    return out;
  }

  static String clusterName(
      RouteDestination destination,
      String namespace,
      ServiceKey self,
      Map<ServiceKey, List<ServiceInstance>> services) {
    String host = Hostnames.resolve(destination.destination().host(), namespace);
    int port;
    if (destination.destination().port().isPresent()) {
      port = destination.destination().port().getAsInt();
    } else {
      // istiod's GetDestinationCluster: a destination without a port takes its service's port when
      // the service has exactly one, else the port of the listener the route serves (IST0112
      // warns about such a destination on a multi-port service).
      List<Integer> ports =
          services.keySet().stream()
              .filter(k -> k.host().equals(host))
              .map(ServiceKey::port)
              .distinct()
              .toList();
      port = ports.size() == 1 ? ports.get(0) : self.port();
    }
    return XdsNames.outboundCluster(port, destination.destination().subset().orElse(""), host);
  }
}
