package dev.meshproof.runtime.proxy;

import dev.meshproof.runtime.policy.authn.JwtAuthentication;
import dev.meshproof.runtime.policy.authn.JwtHeaderLocation;
import dev.meshproof.runtime.policy.authn.JwtProvider;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtRequirement;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.RequirementRule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Decodes Envoy's {@code extensions.filters.http.jwt_authn.v3.JwtAuthentication} as istiod writes
 * it ({@code xds.JwtAuthnBuilder}) into the pure {@link JwtAuthentication}: providers with an
 * inline local JWKS, token locations, forwarding, payload and claim outputs, payload in metadata
 * and its space-delimited claims; one rule on prefix {@code /} requiring any provider or a missing
 * token, in istiod's one-provider or several-provider shape. Anything else (remote JWKS, other
 * requirements, per-route config, caches) is NACKed: the sidecar would otherwise admit tokens Envoy
 * refuses, or the reverse.
 */
final class JwtAuthnDecoder {
  static final String FILTER_NAME = "envoy.filters.http.jwt_authn";
  static final String TYPE =
      "type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication";

  private JwtAuthnDecoder() {}

  /** The decoded filter: the policy, the metadata key and the space-delimited claims. */
  record Decoded(JwtAuthentication policy, String payloadInMetadata, List<String> spaceDelimited) {}

  static Decoded filter(com.google.protobuf.Any config, String where) {
    var jwt =
        XdsDecoder.unpack(
            config,
            io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication.class,
            where);
    XdsDecoder.rejectUnsupported(
        jwt.toBuilder().clearProviders().clearRules().clearBypassCorsPreflight(), where);
    if (!jwt.getBypassCorsPreflight()) {
      throw new IllegalArgumentException(
          where + ": bypass_cors_preflight false is not supported (istiod sets it true)");
    }
    if (jwt.getRulesCount() != 1) {
      throw new IllegalArgumentException(
          where + ": " + jwt.getRulesCount() + " rules (expected: istiod's one rule on prefix /)");
    }
    RequirementRule rule = jwt.getRules(0);
    XdsDecoder.rejectUnsupported(
        rule.toBuilder().clearMatch().clearRequires(), where + ", rules[0]");
    if (!rule.getMatch().getPrefix().equals("/")
        || !rule.getMatch().toBuilder()
            .clearPrefix()
            .build()
            .equals(io.envoyproxy.envoy.config.route.v3.RouteMatch.getDefaultInstance())) {
      throw new IllegalArgumentException(where + ", rules[0]: match other than prefix / ");
    }
    // provider name -> provider, in istiod's order origins-0, origins-1, ...
    Map<String, io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtProvider> byName =
        new TreeMap<>(jwt.getProvidersMap());
    checkRequirement(rule.getRequires(), byName.keySet(), where + ", rules[0].requires");
    List<JwtProvider> providers = new ArrayList<>();
    String payloadKey = null;
    List<String> spaceDelimited = List.of();
    for (var entry : byName.entrySet()) {
      String at = where + ", providers[" + entry.getKey() + "]";
      var p = entry.getValue();
      XdsDecoder.rejectUnsupported(
          p.toBuilder()
              .clearIssuer()
              .clearAudiences()
              .clearLocalJwks()
              .clearForward()
              .clearForwardPayloadHeader()
              .clearPayloadInMetadata()
              .clearNormalizePayloadInMetadata()
              .clearClaimToHeaders()
              .clearFromHeaders()
              .clearFromParams()
              .clearFromCookies()
              .clearClearRouteCache(),
          at);
      if (!p.getLocalJwks().hasInlineString()) {
        throw new IllegalArgumentException(
            at + ": only local_jwks inline_string is supported by the embedded sidecar");
      }
      if (payloadKey != null && !payloadKey.equals(p.getPayloadInMetadata())) {
        throw new IllegalArgumentException(at + ": providers with different payload_in_metadata");
      }
      payloadKey = p.getPayloadInMetadata();
      spaceDelimited = p.getNormalizePayloadInMetadata().getSpaceDelimitedClaimsList();
      List<JwtHeaderLocation> headers = new ArrayList<>();
      for (var h : p.getFromHeadersList()) {
        headers.add(new JwtHeaderLocation(h.getName(), h.getValuePrefix()));
      }
      Map<String, String> claimHeaders = new LinkedHashMap<>();
      for (var c : p.getClaimToHeadersList()) {
        claimHeaders.put(c.getHeaderName(), c.getClaimName());
      }
      providers.add(
          new JwtProvider(
              p.getIssuer(),
              p.getAudiencesList(),
              p.getLocalJwks().getInlineString(),
              headers,
              p.getFromParamsList(),
              p.getForward(),
              p.getForwardPayloadHeader().isEmpty()
                  ? Optional.empty()
                  : Optional.of(p.getForwardPayloadHeader()),
              claimHeaders,
              p.getFromCookiesList()));
    }
    try {
      return new Decoded(
          new JwtAuthentication(providers), payloadKey == null ? "" : payloadKey, spaceDelimited);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
    }
  }

  /**
   * istiod's requirement: {@code requires_any [P, allow_missing]} for one provider, {@code
   * requires_any [P0..Pn, requires_all [requires_any [Pi, allow_missing]...]]} for several; both
   * mean "a token, if any, must pass one provider", which {@link JwtAuthentication} implements.
   */
  private static void checkRequirement(
      JwtRequirement requires, java.util.Set<String> names, String where) {
    List<String> list = new ArrayList<>(names);
    boolean ok;
    if (list.size() == 1) {
      ok = requires.equals(anyOrMissing(list.get(0)));
    } else {
      var any = requires.getRequiresAny().getRequirementsList();
      ok = any.size() == list.size() + 1;
      for (int i = 0; ok && i < list.size(); i++) {
        ok = any.get(i).getProviderName().equals(list.get(i));
      }
      if (ok) {
        var all = any.get(list.size()).getRequiresAll().getRequirementsList();
        ok = all.size() == list.size();
        for (int i = 0; ok && i < list.size(); i++) {
          ok = all.get(i).equals(anyOrMissing(list.get(i)));
        }
      }
    }
    if (!ok) {
      throw new IllegalArgumentException(
          where
              + ": not istiod's requirement (expected: requires_any of the providers or"
              + " allow_missing)");
    }
  }

  private static JwtRequirement anyOrMissing(String name) {
    return JwtRequirement.newBuilder()
        .setRequiresAny(
            io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtRequirementOrList
                .newBuilder()
                .addRequirements(JwtRequirement.newBuilder().setProviderName(name))
                .addRequirements(
                    JwtRequirement.newBuilder()
                        .setAllowMissing(com.google.protobuf.Empty.getDefaultInstance())))
        .build();
  }
}
