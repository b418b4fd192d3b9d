package dev.meshproof.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshproof.runtime.policy.lb.ConsistentHash;
import dev.meshproof.runtime.policy.lb.ConsistentHashLb;
import dev.meshproof.runtime.policy.lb.HashPolicy;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** {@code loadBalancer.consistentHash} read as Istio's API and webhook define it. */
class ConsistentHashParserTest {

  private static DestinationRule parse(String loadBalancer) {
    return (DestinationRule)
        IstioYamlParser.parse(
                """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: catalog}
                spec:
                  host: catalog
                  trafficPolicy:
                    loadBalancer:
                """
                    + loadBalancer.indent(6),
                "dr.yaml",
                "default")
            .get(0);
  }

  @Test
  void eachHashKeyAndTable() {
    assertThat(parse("consistentHash: {httpHeaderName: X-User}").consistentHash())
        .contains(
            new ConsistentHash(
                new HashPolicy.Header("X-User"),
                new ConsistentHashLb.RingHash(OptionalLong.of(1024))));
    assertThat(parse("consistentHash: {useSourceIp: true, minimumRingSize: 2048}").consistentHash())
        .contains(
            new ConsistentHash(
                new HashPolicy.SourceIp(), new ConsistentHashLb.RingHash(OptionalLong.of(2048))));
    assertThat(
            parse("consistentHash: {httpQueryParameterName: u, ringHash: {minimumRingSize: 0}}")
                .consistentHash())
        .contains(
            new ConsistentHash(
                new HashPolicy.QueryParameter("u"),
                new ConsistentHashLb.RingHash(OptionalLong.empty())));
    assertThat(
            parse(
                    "consistentHash: {httpCookie: {name: session, ttl: 60s, path: /},"
                        + " maglev: {tableSize: 65537}}")
                .consistentHash())
        .contains(
            new ConsistentHash(
                new HashPolicy.Cookie("session", Optional.of(Duration.ofSeconds(60)), "/"),
                new ConsistentHashLb.Maglev(OptionalLong.of(65537))));
  }

  @Test
  void aHashNeedsExactlyOneKeyAndExcludesSimple() {
    assertThatThrownBy(() -> parse("consistentHash: {minimumRingSize: 10}"))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("exactly one hash key is required (found 0");
    assertThatThrownBy(() -> parse("consistentHash: {httpHeaderName: a, useSourceIp: true}"))
        .hasMessageContaining("found 2");
    assertThatThrownBy(() -> parse("simple: RANDOM\nconsistentHash: {httpHeaderName: a}"))
        .hasMessageContaining("dr.yaml:")
        .hasMessageContaining("simple and consistentHash are alternatives");
    assertThatThrownBy(() -> parse("consistentHash: {httpHeaderName: a, ringHash: {}, maglev: {}}"))
        .hasMessageContaining("ringHash and maglev are alternatives");
  }
}
