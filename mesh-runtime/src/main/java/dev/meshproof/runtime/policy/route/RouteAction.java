package dev.meshproof.runtime.policy.route;

import dev.meshproof.runtime.policy.retry.RetryPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a matched route does (Envoy's {@code route.v3.RouteAction}, plus its {@code redirect}
 * alternative): the cluster or weighted clusters, the route timeout ({@link Duration#ZERO} is
 * disabled, Istio's default), retry policy, mirrors, header changes, path and host rewrite; or,
 * instead of clusters, a redirect or a direct response; {@code maxGrpcTimeout} is the (deprecated,
 * and still istiod's) {@code max_grpc_timeout} under which a gRPC call's own deadline applies. Only
 * what the embedded sidecar honours is ever populated: the decoder NACKs the other fields until the
 * router implements them, so a value here always means the sidecar acts on it. {@code
 * includeRequestAttemptCount} is the virtual host's {@code include_request_attempt_count}, carried
 * on each of its routes: send {@code x-envoy-attempt-count} upstream.
 *
 * @see <a
 *     href="https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/route/v3/route_components.proto#config-route-v3-routeaction">Envoy
 *     RouteAction</a>
 */
public record RouteAction(
    List<WeightedCluster> clusters,
    Duration timeout,
    Optional<RetryPolicy> retryPolicy,
    List<MirrorPolicy> mirrorPolicies,
    HeaderChanges requestHeaderChanges,
    HeaderChanges responseHeaderChanges,
    Optional<PathRewrite> rewrite,
    Optional<String> hostRewrite,
    Optional<Redirect> redirect,
    Optional<DirectResponse> directResponse,
    boolean includeRequestAttemptCount,
    List<dev.meshproof.runtime.policy.lb.HashPolicy> hashPolicies,
    Optional<Duration> maxGrpcTimeout) {

  public RouteAction {
    clusters = List.copyOf(clusters);
    hashPolicies = List.copyOf(hashPolicies);
    mirrorPolicies = List.copyOf(mirrorPolicies);
    int kinds =
        (clusters.isEmpty() ? 0 : 1)
            + (redirect.isPresent() ? 1 : 0)
            + (directResponse.isPresent() ? 1 : 0);
    if (kinds != 1) {
      throw new IllegalArgumentException(
          "clusters: "
              + clusters
              + ", redirect: "
              + redirect
              + ", directResponse: "
              + directResponse
              + " (expected: at least one cluster, or a redirect and no cluster, or a direct"
              + " response alone)");
    }
    if (clusters.size() > 1 && clusters.stream().mapToLong(WeightedCluster::weight).sum() == 0) {
      throw new IllegalArgumentException(
          "clusters: weights sum to 0 (expected: a positive total weight)");
    }
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout: " + timeout + " (expected: >= 0s, 0s = off)");
    }
    if (maxGrpcTimeout.isPresent() && maxGrpcTimeout.get().isNegative()) {
      throw new IllegalArgumentException(
          "maxGrpcTimeout: " + maxGrpcTimeout.get() + " (expected: >= 0s, 0s = no cap)");
    }
  }

  /** A route action without {@code max_grpc_timeout}, as before gRPC deadlines were honoured. */
  public RouteAction(
      List<WeightedCluster> clusters,
      Duration timeout,
      Optional<RetryPolicy> retryPolicy,
      List<MirrorPolicy> mirrorPolicies,
      HeaderChanges requestHeaderChanges,
      HeaderChanges responseHeaderChanges,
      Optional<PathRewrite> rewrite,
      Optional<String> hostRewrite,
      Optional<Redirect> redirect,
      Optional<DirectResponse> directResponse,
      boolean includeRequestAttemptCount,
      List<dev.meshproof.runtime.policy.lb.HashPolicy> hashPolicies) {
    this(
        clusters,
        timeout,
        retryPolicy,
        mirrorPolicies,
        requestHeaderChanges,
        responseHeaderChanges,
        rewrite,
        hostRewrite,
        redirect,
        directResponse,
        includeRequestAttemptCount,
        hashPolicies,
        Optional.empty());
  }

  /** Forwards to one cluster, with nothing else set. */
  public static RouteAction toCluster(String cluster) {
    return builder().cluster(cluster).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link RouteAction}; every field but the destination has an Envoy/Istio default. */
  public static final class Builder {
    private final List<WeightedCluster> clusters = new ArrayList<>();
    private Duration timeout = Duration.ZERO;
    private Optional<RetryPolicy> retryPolicy = Optional.empty();
    private final List<MirrorPolicy> mirrorPolicies = new ArrayList<>();
    private HeaderChanges requestHeaderChanges = HeaderChanges.NONE;
    private HeaderChanges responseHeaderChanges = HeaderChanges.NONE;
    private Optional<PathRewrite> rewrite = Optional.empty();
    private Optional<String> hostRewrite = Optional.empty();
    private Optional<Redirect> redirect = Optional.empty();
    private Optional<DirectResponse> directResponse = Optional.empty();
    private boolean includeRequestAttemptCount;
    private final List<dev.meshproof.runtime.policy.lb.HashPolicy> hashPolicies = new ArrayList<>();
    private Optional<Duration> maxGrpcTimeout = Optional.empty();

    private Builder() {}

    /**
     * Envoy's {@code max_grpc_timeout}: a gRPC call's {@code grpc-timeout} header sets its route
     * timeout, capped at this ({@link Duration#ZERO}: no cap). See {@link
     * dev.meshproof.runtime.policy.retry.GrpcTimeout}.
     */
    public Builder maxGrpcTimeout(Duration max) {
      this.maxGrpcTimeout = Optional.of(max);
      return this;
    }

    /** Envoy's {@code hash_policy}: what a consistent-hash cluster hashes the request by. */
    public Builder hashPolicy(dev.meshproof.runtime.policy.lb.HashPolicy policy) {
      hashPolicies.add(policy);
      return this;
    }

    /** Sends {@code x-envoy-attempt-count} upstream (the virtual host's setting). */
    public Builder includeRequestAttemptCount(boolean include) {
      this.includeRequestAttemptCount = include;
      return this;
    }

    /** A single destination (Envoy's {@code cluster}): a one-element list with weight 1. */
    public Builder cluster(String name) {
      clusters.add(new WeightedCluster(name, 1));
      return this;
    }

    public Builder weightedClusters(List<WeightedCluster> weighted) {
      clusters.addAll(weighted);
      return this;
    }

    /** The route timeout; {@link Duration#ZERO} disables it. */
    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    public Builder retryPolicy(RetryPolicy policy) {
      this.retryPolicy = Optional.of(policy);
      return this;
    }

    public Builder mirrorPolicy(MirrorPolicy mirror) {
      mirrorPolicies.add(mirror);
      return this;
    }

    public Builder requestHeaderChanges(HeaderChanges changes) {
      this.requestHeaderChanges = changes;
      return this;
    }

    public Builder responseHeaderChanges(HeaderChanges changes) {
      this.responseHeaderChanges = changes;
      return this;
    }

    public Builder rewrite(PathRewrite rewrite) {
      this.rewrite = Optional.of(rewrite);
      return this;
    }

    /** Envoy's {@code host_rewrite_literal}: the authority forwarded instead of the request's. */
    public Builder hostRewrite(String host) {
      this.hostRewrite = Optional.of(host);
      return this;
    }

    public Builder redirect(Redirect redirect) {
      this.redirect = Optional.of(redirect);
      return this;
    }

    public Builder directResponse(DirectResponse response) {
      this.directResponse = Optional.of(response);
      return this;
    }

    public RouteAction build() {
      return new RouteAction(
          clusters,
          timeout,
          retryPolicy,
          mirrorPolicies,
          requestHeaderChanges,
          responseHeaderChanges,
          rewrite,
          hostRewrite,
          redirect,
          directResponse,
          includeRequestAttemptCount,
          hashPolicies,
          maxGrpcTimeout);
    }
  }
}
