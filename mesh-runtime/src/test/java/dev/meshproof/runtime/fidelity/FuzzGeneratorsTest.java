package dev.meshproof.runtime.fidelity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshproof.runtime.config.IstioYamlParser;
import dev.meshproof.runtime.config.VirtualService;
import dev.meshproof.runtime.fidelity.DataPlaneDifferentialIT.Observation;
import dev.meshproof.runtime.fidelity.FuzzModel.Config;
import dev.meshproof.runtime.fidelity.FuzzModel.Dest;
import dev.meshproof.runtime.fidelity.FuzzModel.Dr;
import dev.meshproof.runtime.fidelity.FuzzModel.Rule;
import dev.meshproof.runtime.fidelity.FuzzModel.Str;
import dev.meshproof.runtime.fidelity.FuzzModel.Subset;
import dev.meshproof.runtime.fidelity.FuzzModel.Vs;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The differential fuzzer's own parts, without a mesh: every config the ungated generators produce
 * is accepted by our parser (so a try is never wasted on a rejection), the YAML says what the model
 * says, and the comparison accepts only random choices the config allows.
 */
class FuzzGeneratorsTest {

  @Provide
  Arbitrary<Config> ungatedConfigs() {
    return new FuzzArbitraries(FuzzCategory.enabled()).configs();
  }

  @Property(tries = 300, seed = "20261201")
  void everyUngatedConfigIsAcceptedByTheParser(@ForAll("ungatedConfigs") Config config) {
    assertThat(IstioYamlParser.parse(config.yaml(), "fuzz-case.yaml", "default")).hasSize(3);
  }

  @Property(tries = 100, seed = "20261201")
  void theYamlCarriesEveryRuleAndMatchOfTheModel(@ForAll("ungatedConfigs") Config config) {
    VirtualService parsed =
        IstioYamlParser.parse(config.yaml(), "fuzz-case.yaml", "default").stream()
            .filter(VirtualService.class::isInstance)
            .map(VirtualService.class::cast)
            .filter(vs -> vs.meta().name().equals("catalog"))
            .findFirst()
            .orElseThrow();
    assertThat(parsed.hosts()).isEqualTo(config.primary().hosts());
    assertThat(parsed.http()).hasSameSizeAs(config.primary().http());
    for (int i = 0; i < parsed.http().size(); i++) {
      Rule rule = config.primary().http().get(i);
      assertThat(parsed.http().get(i).match()).hasSameSizeAs(rule.matches());
      assertThat(parsed.http().get(i).route()).hasSameSizeAs(rule.route());
      for (int m = 0; m < rule.matches().size(); m++) {
        assertThat(parsed.http().get(i).match().get(m).headers().keySet())
            .isEqualTo(rule.matches().get(m).headers().keySet());
      }
    }
  }

  @Property(tries = 200, seed = "20261201")
  void weightsSumTo100UnlessThatCategoryIsEnabledAndNeverToZero(
      @ForAll("weightsNot100") Config gated, @ForAll("weightsOf100") Config ungated) {
    for (Rule rule : gated.primary().http()) {
      assertThat(rule.route().stream().mapToInt(Dest::weight).sum()).isPositive();
    }
    for (Rule rule : ungated.primary().http()) {
      assertThat(rule.route().stream().mapToInt(Dest::weight).sum()).isEqualTo(100);
    }
  }

  @Provide
  Arbitrary<Config> weightsOf100() {
    return new FuzzArbitraries(EnumSet.complementOf(EnumSet.of(FuzzCategory.WEIGHTS_NOT_100)))
        .configs();
  }

  @Provide
  Arbitrary<Config> weightsNot100() {
    return new FuzzArbitraries(EnumSet.of(FuzzCategory.WEIGHTS_NOT_100)).configs();
  }

  @Test
  void eachCategoryReallyGeneratesItsInput() {
    List<Config> weights =
        new FuzzArbitraries(EnumSet.of(FuzzCategory.WEIGHTS_NOT_100))
            .configs()
            .sampleStream()
            .limit(300)
            .toList();
    assertThat(weights)
        .anyMatch(
            c ->
                c.primary().http().stream()
                    .anyMatch(r -> r.route().stream().mapToInt(Dest::weight).sum() != 100));
    List<Config> presence =
        new FuzzArbitraries(EnumSet.of(FuzzCategory.HEADER_MATCH, FuzzCategory.PRESENCE_MATCH))
            .configs()
            .sampleStream()
            .limit(300)
            .toList();
    assertThat(presence).anyMatch(c -> c.yaml().contains(": {}}"));
    List<Config> without =
        new FuzzArbitraries(EnumSet.of(FuzzCategory.WITHOUT_HEADERS))
            .configs()
            .sampleStream()
            .limit(300)
            .toList();
    assertThat(without).anyMatch(c -> c.yaml().contains("withoutHeaders:"));
    List<Config> regexIgnoringCase =
        new FuzzArbitraries(EnumSet.of(FuzzCategory.URI_MATCH, FuzzCategory.IGNORE_URI_CASE_REGEX))
            .configs()
            .sampleStream()
            .limit(300)
            .toList();
    assertThat(regexIgnoringCase)
        .anyMatch(
            c ->
                c.primary().http().stream()
                    .flatMap(r -> r.matches().stream())
                    .anyMatch(
                        m ->
                            m.ignoreUriCase()
                                && m.uri().map(u -> u.kind() == Str.Kind.REGEX).orElse(false)));
    assertThat(
            new FuzzArbitraries(EnumSet.of(FuzzCategory.URI_MATCH))
                .configs()
                .sampleStream()
                .limit(300))
        .noneMatch(
            c ->
                c.primary().http().stream()
                    .flatMap(r -> r.matches().stream())
                    .anyMatch(
                        m ->
                            m.ignoreUriCase()
                                && m.uri().map(u -> u.kind() == Str.Kind.REGEX).orElse(false)));
  }

  @Test
  void aWeightedRuleAllowsEitherDestinationButNotAnInstanceOutsideIt() {
    Config config =
        config(
            new Rule(
                "r0",
                List.of(),
                List.of(
                    new Dest("catalog", Optional.of("v2"), 90),
                    new Dest("catalog", Optional.of("v3"), 10))));
    Set<Set<String>> choices = DataPlaneDifferentialIT.randomChoices(config);

    assertThat(new Observation("catalog-v2-0").agreesWith(new Observation("catalog-v3-0"), choices))
        .isTrue();
    assertThat(new Observation("catalog-v2-0").agreesWith(new Observation("catalog-v1-0"), choices))
        .isFalse();
    assertThat(
            new Observation("catalog-v2-0")
                .agreesWith(new Observation(Observation.localReply(404, "")), choices))
        .isFalse();
  }

  @Test
  void aZeroWeightDestinationIsNotAChoiceAndAnUndeclaredSubsetAnswersNc() {
    Config config =
        config(
            new Rule(
                "r0",
                List.of(),
                List.of(
                    new Dest("catalog", Optional.of("v2"), 0),
                    new Dest("catalog", Optional.of("v4"), 100))));
    Set<Set<String>> choices = DataPlaneDifferentialIT.randomChoices(config);

    assertThat(
            new Observation(Observation.localReply(503, ""))
                .agreesWith(new Observation("catalog-v2-0"), choices))
        .isFalse();
  }

  @Test
  void twoInstancesOfOneSubsetAreALoadBalancingChoice() {
    Config config =
        config(new Rule("r0", List.of(), List.of(new Dest("catalog", Optional.of("v1"), 100))));
    Set<Set<String>> choices = DataPlaneDifferentialIT.randomChoices(config);

    assertThat(new Observation("catalog-v1-0").agreesWith(new Observation("catalog-v1-1"), choices))
        .isTrue();
  }

  @Test
  void aServiceOnlyAWildcardHostMayBindKeepsItsDefaultRouteAsAChoice() {
    Config onlyRatings =
        new Config(
            new Vs(
                "catalog",
                List.of("ratings"),
                List.of(
                    new Rule(
                        "r0", List.of(), List.of(new Dest("catalog", Optional.of("v1"), 100))))),
            new Vs(
                "catalog-b",
                List.of("*.default.svc.cluster.local"),
                List.of(
                    new Rule(
                        "r0", List.of(), List.of(new Dest("catalog", Optional.of("v2"), 100))))),
            config(new Rule("r0", List.of(), List.of())).destinationRule());
    Set<Set<String>> choices = DataPlaneDifferentialIT.randomChoices(onlyRatings);

    assertThat(new Observation("catalog-v1-1").agreesWith(new Observation("catalog-v3-0"), choices))
        .isTrue();
    assertThat(new Observation("ratings-v1-0").agreesWith(new Observation("catalog-v3-0"), choices))
        .isFalse();
  }

  @Test
  void anUnknownCategoryIsReportedWithTheAllowedNames() {
    String previous = System.getProperty("meshproof.fuzz.categories");
    System.setProperty("meshproof.fuzz.categories", "WITHOUT_HEADER");
    try {
      assertThatThrownBy(FuzzCategory::enabled)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("meshproof.fuzz.categories: WITHOUT_HEADER")
          .hasMessageContaining("WITHOUT_HEADERS");
    } finally {
      if (previous == null) {
        System.clearProperty("meshproof.fuzz.categories");
      } else {
        System.setProperty("meshproof.fuzz.categories", previous);
      }
    }
  }

  private static Config config(Rule rule) {
    return new Config(
        new Vs("catalog", List.of("catalog"), List.of(rule)),
        new Vs(
            "catalog-b",
            List.of("unused"),
            List.of(
                new Rule("unused", List.of(), List.of(new Dest("unused", Optional.empty(), 100))))),
        new Dr(
            "catalog",
            Optional.empty(),
            List.of(
                new Subset("v1", Optional.empty()),
                new Subset("v2", Optional.empty()),
                new Subset("v3", Optional.empty()))));
  }
}
