package dev.meshproof.runtime.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.common.RandomSource;
import dev.meshproof.common.VirtualClock;
import dev.meshproof.runtime.policy.lb.LbPolicy;
import dev.meshproof.runtime.policy.lb.SlowStart;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/**
 * Our sidecar's cluster state with a slow start (Istio's warmup): an endpoint an EDS update adds is
 * stamped with the sidecar's clock and gets its warming share until its window ends, while the
 * endpoints it already had keep theirs.
 */
class UpstreamClusterWarmupTest {
  private static final InetSocketAddress OLD = new InetSocketAddress("127.0.0.1", 20001);
  private static final InetSocketAddress NEW = new InetSocketAddress("127.0.0.1", 20002);
  private static final Optional<SlowStart> WARMUP =
      Optional.of(
          new SlowStart(Duration.ofSeconds(60), OptionalDouble.of(1.0), OptionalDouble.of(10)));

  private static ProxyConfig.ClusterConfig config(
      Optional<SlowStart> warmup, InetSocketAddress... endpoints) {
    return new ProxyConfig.ClusterConfig("outbound|80||catalog", LbPolicy.ROUND_ROBIN, List.of())
        .withSlowStart(warmup)
        .withEndpoints(List.of(endpoints));
  }

  private static int picksOf(UpstreamCluster cluster, InetSocketAddress address, int picks) {
    int count = 0;
    for (int i = 0; i < picks; i++) {
      if (cluster.loadBalancer.pickHost(cluster.candidates()).address.equals(address)) {
        count++;
      }
    }
    return count;
  }

  @Test
  void anEndpointAddedByAnUpdateWarmsUpWhileTheOldOneKeepsItsWeight() {
    VirtualClock time = new VirtualClock();
    UpstreamCluster first =
        UpstreamCluster.of(
            config(WARMUP, OLD), null, RandomSource.seeded(1), time.clock(), time.scheduler());
    time.advance(Duration.ofSeconds(120)); // the first endpoint's window is over
    UpstreamCluster second =
        UpstreamCluster.of(
            config(WARMUP, OLD, NEW),
            first,
            RandomSource.seeded(1),
            time.clock(),
            time.scheduler());
    assertThat(second.loadBalancer).isSameAs(first.loadBalancer);
    // Just added: weight 10% against 1, one pick in 11 (EDF: exact to one pick).
    assertThat(picksOf(second, NEW, 1100)).isBetween(99, 101);
    time.advance(Duration.ofSeconds(30)); // factor 0.5; an update rebuilds the schedule
    UpstreamCluster third =
        UpstreamCluster.of(
            config(WARMUP, NEW, OLD),
            second,
            RandomSource.seeded(1),
            time.clock(),
            time.scheduler());
    assertThat(picksOf(third, NEW, 1500)).isBetween(499, 501);
    time.advance(Duration.ofSeconds(30)); // window over: the kept schedule gives half at once
    assertThat(picksOf(third, NEW, 1000)).isBetween(499, 501);
  }

  @Test
  void withoutWarmupANewEndpointTakesItsFullShareAtOnce() {
    VirtualClock time = new VirtualClock();
    UpstreamCluster first =
        UpstreamCluster.of(
            config(Optional.empty(), OLD),
            null,
            RandomSource.seeded(1),
            time.clock(),
            time.scheduler());
    time.advance(Duration.ofSeconds(120));
    UpstreamCluster second =
        UpstreamCluster.of(
            config(Optional.empty(), OLD, NEW),
            first,
            RandomSource.seeded(1),
            time.clock(),
            time.scheduler());
    assertThat(picksOf(second, NEW, 1100)).isEqualTo(550);
    // A CDS update that adds the warmup replaces the balancer.
    UpstreamCluster warmed =
        UpstreamCluster.of(
            config(WARMUP, OLD, NEW),
            second,
            RandomSource.seeded(1),
            time.clock(),
            time.scheduler());
    assertThat(warmed.loadBalancer).isNotSameAs(second.loadBalancer);
    assertThat(warmed.loadBalancer.slowStart()).isEqualTo(WARMUP);
  }
}
