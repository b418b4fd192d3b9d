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

  @Test
  void failoverPriorityComparesLabelsInOrderAndHonoursTheValueForm() {
    Map<String, String> proxy = Map.of("network", "n1", "rack", "r1");
    List<String> order = List.of("network", "rack");
    assertThat(
            LocalityLoadBalancing.labelPriority(
                proxy, Map.of("network", "n1", "rack", "r1"), order))
        .isZero();
    assertThat(
            LocalityLoadBalancing.labelPriority(
                proxy, Map.of("network", "n1", "rack", "r2"), order))
        .isEqualTo(1);
    assertThat(
            LocalityLoadBalancing.labelPriority(
                proxy, Map.of("network", "n2", "rack", "r1"), order))
        .isEqualTo(2);
    // A label neither side has is equal (Go's map lookup gives "" for both).
    assertThat(
            LocalityLoadBalancing.labelPriority(
                proxy, Map.of("network", "n1", "rack", "r1"), List.of("zone", "rack")))
        .isZero();
    // label=value compares the value instead of the proxy's own; a second '=' is no override.
    assertThat(LocalityLoadBalancing.labelPriority(proxy, Map.of("rack", "r9"), List.of("rack=r9")))
        .isZero();
    assertThat(LocalityLoadBalancing.labelPriority(proxy, Map.of("rack", "r1"), List.of("rack=r9")))
        .isEqualTo(1);
    assertThat(
            LocalityLoadBalancing.labelPriority(proxy, Map.of("rack", "r1"), List.of("rack=a=b")))
        .isZero();
  }

  @Test
  void failoverPriorityWithoutProxyLabelsLeavesEveryGroupAtPriorityZero() {
    LocalityLbSetting setting =
        new LocalityLbSetting(Optional.empty(), List.of(), List.of(), List.of("rack"));
    List<LocalityLoadBalancing.Group> groups =
        LocalityLoadBalancing.assignEndpoints(
            PROXY,
            Map.of(),
            List.of(Locality.parse("us-east/zone-a"), Locality.parse("us-west/zone-a")),
            List.of(List.of(Map.of("rack", "r1"), Map.of()), List.of(Map.of())),
            setting,
            true);
    assertThat(groups).extracting(LocalityLoadBalancing.Group::priority).containsExactly(0, 0);
    assertThat(groups.get(0).endpoints()).containsExactly(0, 1);
  }

  @Provide
  Arbitrary<List<List<Map<String, String>>>> endpointLabels() {
    Arbitrary<Map<String, String>> labels =
        net.jqwik.api.Combinators.combine(
                Arbitraries.of("n1", "n2"), Arbitraries.of("r1", "r2"), Arbitraries.of("a", "b"))
            .as((n, r, t) -> Map.of("network", n, "rack", r, "tier", t));
    return labels.list().ofMinSize(1).ofMaxSize(4).list().ofMinSize(1).ofMaxSize(4);
  }

  /** How many of {@code order}'s labels, from the first, the endpoint shares with the proxy. */
  private static int depth(Map<String, String> proxy, Map<String, String> e, List<String> order) {
    int d = 0;
    while (d < order.size() && proxy.get(order.get(d)).equals(e.get(order.get(d)))) {
      d++;
    }
    return d;
  }

  @Property
  void failoverPriorityNeverPutsABetterMatchBehindAWorseOne(
      @ForAll("endpointLabels") List<List<Map<String, String>>> endpoints,
      @ForAll("order") List<String> order) {
    Map<String, String> proxy = Map.of("network", "n1", "rack", "r1", "tier", "a");
    List<Locality> localities = new java.util.ArrayList<>();
    for (int i = 0; i < endpoints.size(); i++) {
      localities.add(new Locality("r" + i, "z", ""));
    }
    List<LocalityLoadBalancing.Group> groups =
        LocalityLoadBalancing.assignEndpoints(
            PROXY,
            proxy,
            localities,
            endpoints,
            new LocalityLbSetting(Optional.empty(), List.of(), List.of(), order),
            true);
    // Every endpoint exactly once, in a group of its own locality weighted by its size.
    Map<String, Integer> priorityOf = new java.util.HashMap<>();
    for (LocalityLoadBalancing.Group g : groups) {
      assertThat(g.weight()).hasValue(g.endpoints().size());
      int l = localities.indexOf(g.locality());
      for (int e : g.endpoints()) {
        assertThat(priorityOf.put(l + "/" + e, g.priority())).isNull();
      }
    }
    assertThat(priorityOf).hasSize(endpoints.stream().mapToInt(List::size).sum());
    List<Integer> distinct = priorityOf.values().stream().distinct().sorted().toList();
    assertThat(distinct)
        .containsExactlyElementsOf(
            java.util.stream.IntStream.range(0, distinct.size()).boxed().toList());
    // A deeper match is a strictly higher priority (smaller number); equal depth, equal priority.
    for (var a : priorityOf.entrySet()) {
      for (var b : priorityOf.entrySet()) {
        String[] x = a.getKey().split("/");
        String[] y = b.getKey().split("/");
        int da =
            depth(proxy, endpoints.get(Integer.parseInt(x[0])).get(Integer.parseInt(x[1])), order);
        int db =
            depth(proxy, endpoints.get(Integer.parseInt(y[0])).get(Integer.parseInt(y[1])), order);
        if (da > db) {
          assertThat(a.getValue()).isLessThan(b.getValue());
        } else if (da == db) {
          assertThat(a.getValue()).isEqualTo(b.getValue());
        }
      }
    }
    // With every endpoint healthy, Envoy's priority load never leaves priority 0.
    int levels = distinct.size();
    int[] total = new int[levels];
    groups.forEach(g -> total[g.priority()] += g.endpoints().size());
    int[] loads =
        PriorityLoad.loads(total.clone(), total, PriorityLoad.DEFAULT_OVERPROVISIONING_FACTOR);
    assertThat(loads[0]).isEqualTo(100);
  }

  @Provide
  Arbitrary<List<String>> order() {
    return Arbitraries.of("network", "rack", "tier")
        .list()
        .uniqueElements()
        .ofMinSize(1)
        .ofMaxSize(3);
  }
}
