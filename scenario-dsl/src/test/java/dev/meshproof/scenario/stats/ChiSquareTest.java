package dev.meshproof.scenario.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Pins p-values against closed forms of the chi-square survival function: {@code erfc(sqrt(x/2))}
 * for one degree of freedom, {@code exp(-x/2)} for two.
 */
class ChiSquareTest {

  @Test
  void goodnessOfFitWithOneDegreeOfFreedomMatchesTheClosedForm() {
    // (60-50)^2/50 + (40-50)^2/50 = 4; P(chi2(1) > 4) = erfc(sqrt(2))
    ChiSquare.Result result = ChiSquare.goodnessOfFit(new double[] {50, 50}, new long[] {60, 40});

    assertThat(result.statistic()).isCloseTo(4.0, within(1e-12));
    assertThat(result.degreesOfFreedom()).isEqualTo(1);
    assertThat(result.pValue()).isCloseTo(0.045500263896358396, within(1e-12));
    assertThat(result.rejects(0.05)).isTrue();
    assertThat(result.rejects(0.01)).isFalse();
  }

  @Test
  void goodnessOfFitWithTwoDegreesOfFreedomMatchesTheClosedForm() {
    // (400 + 100 + 100) / 100 = 6; P(chi2(2) > 6) = exp(-3)
    ChiSquare.Result result =
        ChiSquare.goodnessOfFit(new double[] {100, 100, 100}, new long[] {120, 90, 90});

    assertThat(result.statistic()).isCloseTo(6.0, within(1e-12));
    assertThat(result.degreesOfFreedom()).isEqualTo(2);
    assertThat(result.pValue()).isCloseTo(Math.exp(-3), within(1e-12));
  }

  @Test
  void homogeneityOfATwoByTwoTableMatchesTheClosedForm() {
    // Every expected cell is 15: 4 * 25/15 = 20/3; P(chi2(1) > 20/3) = erfc(sqrt(10/3))
    ChiSquare.Result result = ChiSquare.homogeneity(new long[][] {{10, 20}, {20, 10}});

    assertThat(result.statistic()).isCloseTo(20 / 3.0, within(1e-12));
    assertThat(result.degreesOfFreedom()).isEqualTo(1);
    assertThat(result.pValue()).isCloseTo(0.009823274507519245, within(1e-12));
  }

  @Test
  void homogeneityOfATwoByThreeTableHasTwoDegreesOfFreedom() {
    // Every expected cell is 20: 2 * (100 + 0 + 100) / 20 = 20; P(chi2(2) > 20) = exp(-10)
    ChiSquare.Result result = ChiSquare.homogeneity(new long[][] {{10, 20, 30}, {30, 20, 10}});

    assertThat(result.statistic()).isCloseTo(20.0, within(1e-12));
    assertThat(result.degreesOfFreedom()).isEqualTo(2);
    assertThat(result.pValue()).isCloseTo(Math.exp(-10), within(1e-15));
    assertThat(result.rejects(0.001)).isTrue();
  }

  @Test
  void identicalSamplesAreNotRejected() {
    ChiSquare.Result result = ChiSquare.homogeneity(new long[][] {{90, 10}, {90, 10}});

    assertThat(result.statistic()).isZero();
    assertThat(result.pValue()).isCloseTo(1.0, within(1e-12));
    assertThat(result.rejects(0.001)).isFalse();
  }

  @Test
  void addsStatisticDegreesOfFreedomAndPValueInTheReportsFormat() {
    Map<String, String> statistics = new LinkedHashMap<>();

    ChiSquare.goodnessOfFit(new double[] {50, 50}, new long[] {60, 40}).addTo(statistics);

    assertThat(statistics)
        .containsExactly(
            Map.entry("chi-square statistic", "4.0000"),
            Map.entry("degrees of freedom", "1"),
            Map.entry("p-value", "0.0455003"));
  }

  @Test
  void fewerThanTwoCategoriesAreRejectedWithTheCounts() {
    assertThatThrownBy(() -> ChiSquare.goodnessOfFit(new double[] {1}, new long[] {1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 2");
    assertThatThrownBy(() -> ChiSquare.homogeneity(new long[][] {{1, 2}}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1 x 2");
  }
}
