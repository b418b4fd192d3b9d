package dev.meshproof.runtime.policy.authz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.runtime.policy.route.RequestHeaders;
import dev.meshproof.runtime.policy.route.StringMatcher;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RbacMetadataPrincipalTest {
  static final String ISSUER = "testing@secure.istio.io";

  static RbacRequest request(Map<String, Map<String, Object>> payloads) {
    return new RbacRequest(
        Optional.empty(),
        InetAddress.getLoopbackAddress(),
        8080,
        new RequestHeaders("GET", "/", "a", Map.of()),
        payloads);
  }

  /**
   * The value matchers istiod writes for a JWT claim: presence, or a string that is the value or an
   * element of a list value ({@code or_match [string_match, list_match one_of]}).
   */
  static MetadataValueMatcher claimValue(Optional<StringMatcher> value) {
    return value
        .<MetadataValueMatcher>map(
            m ->
                new MetadataValueMatcher.Or(
                    List.of(
                        new MetadataValueMatcher.Str(m),
                        new MetadataValueMatcher.ListOneOf(new MetadataValueMatcher.Str(m)))))
        .orElse(new MetadataValueMatcher.Present());
  }

  static RbacPrincipal jwt(List<String> path, Optional<StringMatcher> value) {
    return new RbacPrincipal.MetadataValue(
        RbacPrincipal.JWT_AUTHN_FILTER, path, claimValue(value), false);
  }

  final RbacRequest alice =
      request(Map.of(ISSUER, Map.of("sub", "alice", "groups", List.of("dev", "admins"))));

  @Test
  void aRequestPrincipalIsTheSubjectUnderTheIssuersPayload() {
    RbacPrincipal principal =
        jwt(List.of(ISSUER, "sub"), Optional.of(new StringMatcher.Exact("alice", false)));

    assertThat(principal.matches(alice)).isTrue();
    assertThat(principal.matches(request(Map.of()))).isFalse();
    assertThat(principal.matches(request(Map.of("other-issuer", Map.of("sub", "alice")))))
        .isFalse();
  }

  @Test
  void aClaimListMatchesWhenOneElementDoesAndPresenceNeedsAPayload() {
    assertThat(
            jwt(List.of(ISSUER, "groups"), Optional.of(new StringMatcher.Exact("admins", false)))
                .matches(alice))
        .isTrue();
    assertThat(
            jwt(List.of(ISSUER, "groups"), Optional.of(new StringMatcher.Exact("ops", false)))
                .matches(alice))
        .isFalse();
    assertThat(jwt(List.of(ISSUER), Optional.empty()).matches(alice)).isTrue();
    assertThat(jwt(List.of(ISSUER), Optional.empty()).matches(request(Map.of()))).isFalse();
  }

  @Test
  void invertNegatesAndOtherFiltersMetadataIsNeverSet() {
    assertThat(
            new RbacPrincipal.MetadataValue(
                    RbacPrincipal.JWT_AUTHN_FILTER,
                    List.of(ISSUER),
                    claimValue(Optional.empty()),
                    true)
                .matches(request(Map.of())))
        .isTrue();
    assertThat(
            new RbacPrincipal.MetadataValue(
                    "istio_authn", List.of(ISSUER), claimValue(Optional.empty()), false)
                .matches(alice))
        .isFalse();
  }
}
