package dev.meshproof.runtime.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.common.RandomSource;
import dev.meshproof.common.VirtualClock;
import dev.meshproof.runtime.policy.circuit.CircuitBreaker;
import dev.meshproof.runtime.policy.circuit.CircuitBreakerThresholds;
import dev.meshproof.runtime.policy.lb.LbPolicy;
import dev.meshproof.runtime.policy.outlier.AttemptResult;
import dev.meshproof.runtime.policy.outlier.OutlierDetectionPolicy;
import dev.meshproof.runtime.proxy.ProxyConfig.ClusterConfig;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Our sidecar's cluster state across xDS updates, as Envoy's cluster manager keeps it: an update
 * that leaves a cluster's configuration unchanged leaves the cluster alone (Envoy blocks the update
 * of a cluster whose hash did not change), with its ejections, circuit-breaker counts and interval
 * timer; a changed cluster is rebuilt.
 */
class UpstreamClusterUpdateTest {
  private static final InetSocketAddress A = new InetSocketAddress("127.0.0.1", 20001);
  private static final InetSocketAddress B = new InetSocketAddress("127.0.0.1", 20002);
  private static final InetSocketAddress C = new InetSocketAddress("127.0.0.1", 20003);

  private final VirtualClock time = new VirtualClock();

  /** One 5xx ejects for {@code baseEjection}; the sweep runs every 100 ms. */
  private static OutlierDetectionPolicy ejectAfterOne5xx(Duration baseEjection) {
    return new OutlierDetectionPolicy(
        1,
        100,
        0,
        0,
        false,
        5,
        100,
        Duration.ofMillis(100),
        baseEjection,
        Duration.ofMinutes(30),
        100,
        false);
  }

  private static ClusterConfig catalog(
      OutlierDetectionPolicy policy, InetSocketAddress... endpoints) {
    return new ClusterConfig(
        "outbound|80||catalog",
        LbPolicy.ROUND_ROBIN,
        List.of(endpoints),
        CircuitBreakerThresholds.ENVOY_DEFAULTS,
        Optional.of(policy),
        0);
  }

  private UpstreamCluster update(ClusterConfig config, UpstreamCluster previous) {
    UpstreamCluster next =
        UpstreamCluster.of(
            config, previous, RandomSource.seeded(1), time.clock(), time.scheduler());
    if (previous != null) {
      previous.retire(next);
    }
    return next;
  }

  private static boolean ejected(UpstreamCluster cluster, InetSocketAddress address) {
    return cluster.hosts.stream()
        .filter(h -> h.address.equals(address))
        .anyMatch(h -> cluster.outlierDetector.orElseThrow().isEjected(h));
  }

  @Test
  void anUpdateThatLeavesTheClusterUnchangedKeepsItsEjectionsCountsAndTimer() {
    UpstreamCluster first = update(catalog(ejectAfterOne5xx(Duration.ofSeconds(1)), A, B), null);
    first
        .outlierDetector
        .orElseThrow()
        .recordResult(first.hosts.get(0), new AttemptResult.HttpStatus(500));
    UpstreamCluster.UpstreamHost busy = first.hosts.get(1);
    assertThat(first.circuitBreaker.admit(busy, () -> {}))
        .isInstanceOf(CircuitBreaker.Admission.Dispatch.class);

    // An equal configuration, decoded anew (another response, another cluster changed in it).
    UpstreamCluster second = update(catalog(ejectAfterOne5xx(Duration.ofSeconds(1)), A, B), first);

    assertThat(second).isSameAs(first);
    assertThat(ejected(second, A)).isTrue();
    assertThat(second.circuitBreaker.counts().activeRequests()).isEqualTo(1);
    // The interval timer still runs: the ejection ends at the first sweep after a second.
    time.advance(Duration.ofMillis(1100));
    assertThat(ejected(second, A)).isFalse();
  }

  @Test
  void aChangedClusterIsRebuiltAndANewOutlierPolicyStartsWithoutEjections() {
    UpstreamCluster first = update(catalog(ejectAfterOne5xx(Duration.ofMinutes(10)), A, B), null);
    first
        .outlierDetector
        .orElseThrow()
        .recordResult(first.hosts.get(0), new AttemptResult.HttpStatus(500));

    // New endpoints (EDS): a new cluster state over the hosts it keeps, their ejection kept.
    UpstreamCluster moreHosts =
        update(catalog(ejectAfterOne5xx(Duration.ofMinutes(10)), A, B, C), first);
    assertThat(moreHosts).isNotSameAs(first);
    assertThat(moreHosts.config.endpoints()).containsExactly(A, B, C);
    assertThat(moreHosts.hosts.get(0)).isSameAs(first.hosts.get(0));
    assertThat(ejected(moreHosts, A)).isTrue();

    // A new outlier policy (CDS): a new detector, nothing ejected, the old timer stopped.
    UpstreamCluster newPolicy =
        update(catalog(ejectAfterOne5xx(Duration.ofMinutes(9)), A, B, C), moreHosts);
    assertThat(newPolicy.outlierDetector).isNotSameAs(moreHosts.outlierDetector);
    assertThat(ejected(newPolicy, A)).isFalse();
    time.advance(Duration.ofMinutes(11));
    assertThat(ejected(moreHosts, A)).as("the retired detector's sweep no longer runs").isTrue();
  }
}
