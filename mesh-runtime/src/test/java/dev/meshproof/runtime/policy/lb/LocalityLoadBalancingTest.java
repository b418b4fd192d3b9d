package dev.meshproof.runtime.policy.lb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** istiod's locality priorities and distribute weights for one proxy. */
class LocalityLoadBalancingTest {
  private static final Locality PROXY = Locality.parse("us-east/zone-a/s1");

  private static List<Integer> priorities(
      List<String> localities, LocalityLbSetting setting, boolean failover) {
    return LocalityLoadBalancing.assign(
            PROXY, localities.stream().map(Locality::parse).toList(), setting, failover)
        .stream()
        .map(LocalityLoadBalancing.Assignment::priority)
        .toList();
  }

  @Test
  void localitiesAreReadFromTheLabelsAsIstiodDoes() {
    assertThat(Locality.ofLabels(Map.of("topology.istio.io/locality", "us-east.zone-a")))
        .isEqualTo(new Locality("us-east", "zone-a", ""));
    assertThat(Locality.ofLabels(Map.of("istio-locality", "r/z/s", Locality.LABEL, "a.b.c")))
        .isEqualTo(new Locality("a", "b", "c"));
    assertThat(Locality.ofLabels(Map.of("istio-locality", "r/z.1"))).hasToString("r/z.1");
    assertThat(Locality.ofLabels(Map.of())).isEqualTo(Locality.NONE);
    assertThat(new Locality("r", "z", "").labelValue()).isEqualTo("r.z");
  }

  @Test
  void failoverPrioritiesFollowSubzoneZoneRegionWithoutGaps() {
    List<String> localities =
        List.of("us-east/zone-a/s1", "us-east/zone-a/s2", "us-east/zone-b", "us-west/zone-a");
    assertThat(priorities(localities, LocalityLbSetting.MESH_DEFAULT, true))
        .containsExactly(0, 1, 2, 3);
    // Without the local subzone and zone: renumbered from 0.
    assertThat(
            priorities(
                List.of("us-west/zone-a", "us-east/zone-b"), LocalityLbSetting.MESH_DEFAULT, true))
        .containsExactly(1, 0);
  }

  @Test
  void withoutOutlierDetectionOrWhenDisabledThereIsNoFailover() {
    List<String> localities = List.of("us-east/zone-a/s1", "us-west/zone-a");
    assertThat(priorities(localities, LocalityLbSetting.MESH_DEFAULT, false)).containsExactly(0, 0);
    assertThat(
            priorities(
                localities, new LocalityLbSetting(Optional.of(false), List.of(), List.of()), true))
        .containsExactly(0, 0);
  }

  @Test
  void failoverToARegionPutsOtherRegionsBehindIt() {
    LocalityLbSetting toCentral =
        new LocalityLbSetting(
            Optional.empty(),
            List.of(),
            List.of(new LocalityLbSetting.Failover("us-east", "us-central")));
    assertThat(
            priorities(
                List.of("eu-west/zone-a", "us-central/zone-a", "us-east/zone-a/s1"),
                toCentral,
                true))
        .containsExactly(2, 1, 0);
  }

  @Test
  void distributeSharesAPatternsWeightAndDropsTheUnmatched() {
    Map<String, Integer> to = new LinkedHashMap<>();
    to.put("us-east/zone-a/*", 80);
    to.put("us-west/*", 20);
    LocalityLbSetting distribute =
        new LocalityLbSetting(
            Optional.empty(),
            List.of(
                new LocalityLbSetting.Distribute("eu/*", Map.of("eu/*", 100)),
                new LocalityLbSetting.Distribute("us-east/zone-a/*", to)),
            List.of());
    List<LocalityLoadBalancing.Assignment> assigned =
        LocalityLoadBalancing.assign(
            PROXY,
            List.of(
                Locality.parse("us-east/zone-a/s1"),
                Locality.parse("us-west/zone-a"),
                Locality.parse("us-west/zone-b"),
                Locality.parse("eu/zone-a")),
            distribute,
            false);
    assertThat(assigned)
        .extracting(LocalityLoadBalancing.Assignment::weight)
        .containsExactly(
            OptionalInt.of(80), OptionalInt.of(10), OptionalInt.of(10), OptionalInt.empty());
    assertThat(assigned)
        .extracting(LocalityLoadBalancing.Assignment::dropped)
        .containsExactly(false, false, false, true);
    assertThat(assigned).extracting(LocalityLoadBalancing.Assignment::priority).containsOnly(0);
  }

  @Provide
  Arbitrary<List<Locality>> localities() {
    Arbitrary<Locality> one =
        net.jqwik.api.Combinators.combine(
                Arbitraries.of("us-east", "us-west", "eu"),
                Arbitraries.of("zone-a", "zone-b"),
                Arbitraries.of("s1", "s2", ""))
            .as(Locality::new);
    return one.list().ofMinSize(1).ofMaxSize(8);
  }

  @Property
  void failoverPrioritiesAreContiguousAndOrderedByHowMuchOfTheLocalityMatches(
      @ForAll("localities") List<Locality> localities) {
    List<LocalityLoadBalancing.Assignment> assigned =
        LocalityLoadBalancing.assign(PROXY, localities, LocalityLbSetting.MESH_DEFAULT, true);
    List<Integer> distinct =
        assigned.stream()
            .map(LocalityLoadBalancing.Assignment::priority)
            .distinct()
            .sorted()
            .toList();
    assertThat(distinct.get(0)).isZero();
    assertThat(distinct.get(distinct.size() - 1)).isEqualTo(distinct.size() - 1);
    for (LocalityLoadBalancing.Assignment a : assigned) {
      for (LocalityLoadBalancing.Assignment b : assigned) {
        if (a.locality().priorityFrom(PROXY) < b.locality().priorityFrom(PROXY)) {
          assertThat(a.priority()).isLessThan(b.priority());
        }
      }
    }
  }

  @Property
  void distributeWeightsAreRespected(
      @ForAll("localities") List<Locality> localities,
      @ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 100) int local) {
    Map<String, Integer> to = new LinkedHashMap<>();
    to.put("us-east/*", local);
    to.put("us-west/*", 100 - local);
    LocalityLbSetting setting =
        new LocalityLbSetting(
            Optional.empty(), List.of(new LocalityLbSetting.Distribute("us-east", to)), List.of());
    List<LocalityLoadBalancing.Assignment> assigned =
        LocalityLoadBalancing.assign(PROXY, localities, setting, true);
    for (String region : List.of("us-east", "us-west")) {
      long groups = localities.stream().filter(l -> l.region().equals(region)).count();
      int weight = region.equals("us-east") ? local : 100 - local;
      assigned.stream()
          .filter(a -> a.locality().region().equals(region))
          .forEach(
              a -> {
                assertThat(a.dropped()).isFalse();
                assertThat(a.weight().orElse(0))
                    .isEqualTo((int) Math.ceil((double) weight / groups));
              });
    }
    assigned.stream()
        .filter(a -> a.locality().region().equals("eu"))
        .forEach(a -> assertThat(a.dropped()).isTrue());
  }
}
