package dev.meshproof.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SeedsTest {

  @Test
  void theMeshRunsOnTheScenarioSeed() {
    assertThat(new Seeds(424242L).mesh()).isEqualTo(424242L);
  }

  @Test
  void instanceSeedsKeepTheDerivationOfEarlierRunsSoOldSeedsReplay() {
    // scenario seed XOR String.hashCode of the pod name ("catalog-v1-0".hashCode() == -1193915758)
    assertThat(new Seeds(1L).instance("catalog-v1-0")).isEqualTo(-1193915757L);
    assertThat(new Seeds(11L).instance("catalog-v2-0")).isEqualTo(-1193914792L);
  }

  @Test
  void instancesOfOneScenarioGetDistinctSeeds() {
    Seeds seeds = new Seeds(7L);

    assertThat(seeds.instance("catalog-v1-0"))
        .isNotEqualTo(seeds.instance("catalog-v1-1"))
        .isNotEqualTo(seeds.instance("catalog-v2-0"));
  }

  @Test
  void seedsComeFromTheScenario() {
    Scenario scenario =
        Scenario.named("seeded")
            .client("client")
            .traffic(t -> t.from("client").get("http://catalog/").requests(1))
            .seed(99)
            .build();

    assertThat(Seeds.of(scenario)).isEqualTo(new Seeds(scenario.seed()));
  }
}
