package dev.meshproof.runtime.xds;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.CidrRange;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.type.matcher.v3.ListMatcher;
import io.envoyproxy.envoy.type.matcher.v3.MetadataMatcher;
import io.envoyproxy.envoy.type.matcher.v3.OrMatcher;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.matcher.v3.ValueMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * istiod's per-field RBAC generators ({@code pilot/pkg/security/authz/model/generator.go} with the
 * {@code matcher} package): one AuthorizationPolicy value (a source principal, a namespace, an IP
 * block, a request principal, a claim, a host, method, path, port or header) as an Envoy RBAC
 * {@link Principal} or {@link Permission}, a field's values ORed and its not-values negated. {@link
 * AuthorizationModel} assembles them into rules.
 */
final class AuthorizationGenerators {
  private AuthorizationGenerators() {}

  /**
   * istiod's pattern for every field, principal or permission alike: the values as one matcher
   * ({@code generator}), the not-values as another that is negated; none for an empty list.
   */
  private static <T> List<T> matchAndNegate(
      List<String> values,
      List<String> notValues,
      Function<List<String>, T> generator,
      UnaryOperator<T> negate) {
    List<T> out = new ArrayList<>();
    if (!values.isEmpty()) {
      out.add(generator.apply(values));
    }
    if (!notValues.isEmpty()) {
      out.add(negate.apply(generator.apply(notValues)));
    }
    return out;
  }

  /** A principal field: each value through {@code generator}, the values ORed. */
  static List<Principal> principals(
      List<String> values, List<String> notValues, Function<String, Principal> generator) {
    return matchAndNegate(
        values,
        notValues,
        vs ->
            Principal.newBuilder()
                .setOrIds(Principal.Set.newBuilder().addAllIds(vs.stream().map(generator).toList()))
                .build(),
        AuthorizationGenerators::notId);
  }

  /**
   * istiod's extended generators ({@code generator.go extendedPrincipal}): all values in one
   * principal, the not-values negated in another.
   */
  static List<Principal> extended(
      List<String> values, List<String> notValues, Function<List<String>, Principal> generator) {
    return matchAndNegate(values, notValues, generator, AuthorizationGenerators::notId);
  }

  /** A permission field: each value through {@code generator}, the values ORed. */
  static List<Permission> permissions(
      List<String> values, List<String> notValues, Function<String, Permission> generator) {
    return matchAndNegate(
        values,
        notValues,
        vs ->
            Permission.newBuilder()
                .setOrRules(
                    Permission.Set.newBuilder().addAllRules(vs.stream().map(generator).toList()))
                .build(),
        rule -> Permission.newBuilder().setNotRule(rule).build());
  }

  private static Principal notId(Principal id) {
    return Principal.newBuilder().setNotId(id).build();
  }

  /** The principals ANDed, {@code any} when there are none. */
  static Principal principalAnd(List<Principal> and) {
    List<Principal> ids =
        and.isEmpty() ? List.of(Principal.newBuilder().setAny(true).build()) : and;
    return Principal.newBuilder().setAndIds(Principal.Set.newBuilder().addAllIds(ids)).build();
  }

  /** The permissions ANDed, {@code any} when there are none. */
  static Permission permissionAnd(List<Permission> and) {
    List<Permission> rules =
        and.isEmpty() ? List.of(Permission.newBuilder().setAny(true).build()) : and;
    return Permission.newBuilder()
        .setAndRules(Permission.Set.newBuilder().addAllRules(rules))
        .build();
  }

  /**
   * {@code requestPrincipalGenerator}: per value {@code iss/sub} (split at the last {@code /}), the
   * payload's {@code iss} and {@code sub} matched as strings, {@code *} as presence ({@code .+}), a
   * leading or trailing {@code *} as suffix or prefix; the values ORed.
   */
  static Principal requestPrincipals(List<String> values) {
    List<Principal> or = new ArrayList<>();
    StringMatcher any = regex(".+");
    for (String value : values) {
      int idx = value.lastIndexOf('/');
      boolean found = idx >= 0;
      String iss = found ? value.substring(0, idx) : value;
      String sub = found ? value.substring(idx + 1) : "";
      StringMatcher matchIss;
      StringMatcher matchSub;
      if (value.equals("*")) {
        matchIss = any;
        matchSub = any;
      } else if (value.startsWith("*")) {
        if (found) {
          matchIss =
              iss.equals("*")
                  ? any
                  : StringMatcher.newBuilder().setSuffix(iss.substring(1)).build();
          matchSub = StringMatcher.newBuilder().setExact(sub).build();
        } else {
          matchIss = any;
          matchSub = StringMatcher.newBuilder().setSuffix(value.substring(1)).build();
        }
      } else if (value.endsWith("*")) {
        if (found) {
          matchIss = StringMatcher.newBuilder().setExact(iss).build();
          matchSub =
              sub.equals("*")
                  ? any
                  : StringMatcher.newBuilder()
                      .setPrefix(sub.substring(0, sub.length() - 1))
                      .build();
        } else {
          matchIss =
              StringMatcher.newBuilder().setPrefix(value.substring(0, value.length() - 1)).build();
          matchSub = any;
        }
      } else {
        matchIss = StringMatcher.newBuilder().setExact(iss).build();
        matchSub = StringMatcher.newBuilder().setExact(sub).build();
      }
      or.add(
          Principal.newBuilder()
              .setAndIds(
                  Principal.Set.newBuilder()
                      .addIds(payloadString("iss", matchIss))
                      .addIds(payloadString("sub", matchSub)))
              .build());
    }
    return or.size() == 1
        ? or.get(0)
        : Principal.newBuilder().setOrIds(Principal.Set.newBuilder().addAllIds(or)).build();
  }

  /** {@code MetadataStringMatcherForJWTClaim}: jwt_authn's {@code payload.<claim>} as a string. */
  private static Principal payloadString(String claim, StringMatcher m) {
    return Principal.newBuilder()
        .setMetadata(
            MetadataMatcher.newBuilder()
                .setFilter(JwtAuthnBuilder.FILTER_NAME)
                .addPath(
                    MetadataMatcher.PathSegment.newBuilder()
                        .setKey(JwtAuthnBuilder.PAYLOAD_IN_METADATA))
                .addPath(MetadataMatcher.PathSegment.newBuilder().setKey(claim))
                .setValue(ValueMatcher.newBuilder().setStringMatch(m)))
        .build();
  }

  /**
   * {@code MetadataListValueMatcherForJWTClaims} with {@code useExtendedJwt}: the claim at {@code
   * path} under {@code payload}, a string matching one of {@code values} or a list with such a
   * string ({@code or_match [list_match one_of V, V]}, V the values ORed).
   */
  static Principal claim(List<String> path, List<String> values) {
    List<ValueMatcher> strings =
        values.stream()
            .map(v -> ValueMatcher.newBuilder().setStringMatch(string(v, "")).build())
            .toList();
    ValueMatcher value =
        strings.size() == 1
            ? strings.get(0)
            : ValueMatcher.newBuilder()
                .setOrMatch(OrMatcher.newBuilder().addAllValueMatchers(strings))
                .build();
    MetadataMatcher.Builder m =
        MetadataMatcher.newBuilder()
            .setFilter(JwtAuthnBuilder.FILTER_NAME)
            .addPath(
                MetadataMatcher.PathSegment.newBuilder()
                    .setKey(JwtAuthnBuilder.PAYLOAD_IN_METADATA));
    path.forEach(k -> m.addPath(MetadataMatcher.PathSegment.newBuilder().setKey(k)));
    m.setValue(
        ValueMatcher.newBuilder()
            .setOrMatch(
                OrMatcher.newBuilder()
                    .addValueMatchers(
                        ValueMatcher.newBuilder()
                            .setListMatch(ListMatcher.newBuilder().setOneOf(value)))
                    .addValueMatchers(value)));
    return Principal.newBuilder().setMetadata(m).build();
  }

  /**
   * {@code extractNameInNestedBrackets}: {@code [a]} is one claim, {@code [a][b]} a nested path;
   * checked at apply ({@link AuthorizationModel#unsupported}).
   */
  static List<String> claimPath(String brackets) {
    List<String> claims = new ArrayList<>();
    java.util.regex.Matcher m = CLAIM.matcher(brackets);
    int end = 0;
    while (m.find() && m.start() == end) {
      claims.add(m.group(1));
      end = m.end();
    }
    if (end != brackets.length() || claims.isEmpty()) {
      throw new IllegalArgumentException(
          "bad claim " + brackets + " (expected: [name] or nested [a][b])");
    }
    return claims;
  }

  private static final Pattern CLAIM = Pattern.compile("\\[([^\\[\\]]+)\\]");

  /** {@code srcPrincipalGenerator}: the SPIFFE URI of the peer, {@code spiffe://} added. */
  static Principal principal(String value) {
    return authenticated(string(value, "spiffe://"));
  }

  /** {@code srcNamespaceGenerator}: a principal in the namespace, {@code *} as {@code .*}. */
  static Principal namespace(String value) {
    return authenticated(regex(".*/ns/" + value.replace("*", ".*") + "/.*"));
  }

  private static Principal authenticated(StringMatcher name) {
    return Principal.newBuilder()
        .setAuthenticated(Principal.Authenticated.newBuilder().setPrincipalName(name))
        .build();
  }

  /** {@code srcIPGenerator}: a single address is a /32 (/128). */
  static Principal sourceIp(String value) {
    int slash = value.indexOf('/');
    String address = slash < 0 ? value : value.substring(0, slash);
    int length =
        slash < 0
            ? (address.contains(":") ? 128 : 32)
            : Integer.parseInt(value.substring(slash + 1));
    return Principal.newBuilder()
        .setDirectRemoteIp(
            CidrRange.newBuilder().setAddressPrefix(address).setPrefixLen(UInt32Value.of(length)))
        .build();
  }

  /**
   * {@code destPortGenerator}; the workload's service port is the inbound listener's port here,
   * since the app's port sits behind the sidecar on loopback.
   */
  static Permission port(String value, ProxyNode.Inbound inbound) {
    int port = Integer.parseInt(value);
    return Permission.newBuilder()
        .setDestinationPort(port == inbound.servicePort() ? inbound.listener().getPort() : port)
        .build();
  }

  /**
   * {@code matcher.HeaderMatcher} / {@code HostMatcher}: {@code *} is presence, a leading or
   * trailing {@code *} a suffix or prefix match, else exact; hosts compare case-insensitively.
   */
  static HeaderMatcher header(String name, String value, boolean ignoreCase) {
    HeaderMatcher.Builder header = HeaderMatcher.newBuilder().setName(name);
    if (value.equals("*")) {
      return header.setPresentMatch(true).build();
    }
    StringMatcher.Builder m = StringMatcher.newBuilder().setIgnoreCase(ignoreCase);
    if (value.startsWith("*")) {
      m.setSuffix(value.substring(1));
    } else if (value.endsWith("*")) {
      m.setPrefix(value.substring(0, value.length() - 1));
    } else {
      m.setExact(value);
    }
    return header.setStringMatch(m).build();
  }

  /**
   * {@code matcher.StringMatcherWithPrefix}: {@code *} is the regex {@code .+}, a leading {@code *}
   * a suffix match, a trailing one a prefix match, else exact; {@code prefix} is put in front.
   */
  static StringMatcher string(String value, String prefix) {
    if (value.equals("*")) {
      return regex(".+");
    }
    if (value.startsWith("*")) {
      return StringMatcher.newBuilder().setSuffix(value.substring(1)).build();
    }
    if (value.endsWith("*")) {
      return StringMatcher.newBuilder()
          .setPrefix(prefix + value.substring(0, value.length() - 1))
          .build();
    }
    return StringMatcher.newBuilder().setExact(prefix + value).build();
  }

  private static StringMatcher regex(String regex) {
    return StringMatcher.newBuilder()
        .setSafeRegex(RegexMatcher.newBuilder().setRegex(regex))
        .build();
  }
}
