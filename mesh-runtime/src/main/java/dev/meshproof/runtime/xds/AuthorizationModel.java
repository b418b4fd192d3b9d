package dev.meshproof.runtime.xds;

import static dev.meshproof.runtime.xds.AuthorizationGenerators.claim;
import static dev.meshproof.runtime.xds.AuthorizationGenerators.claimPath;
import static dev.meshproof.runtime.xds.AuthorizationGenerators.extended;
import static dev.meshproof.runtime.xds.AuthorizationGenerators.header;
import static dev.meshproof.runtime.xds.AuthorizationGenerators.permissionAnd;
import static dev.meshproof.runtime.xds.AuthorizationGenerators.permissions;
import static dev.meshproof.runtime.xds.AuthorizationGenerators.port;
import static dev.meshproof.runtime.xds.AuthorizationGenerators.principalAnd;
import static dev.meshproof.runtime.xds.AuthorizationGenerators.principals;
import static dev.meshproof.runtime.xds.AuthorizationGenerators.string;

import dev.meshproof.runtime.config.AuthorizationPolicy;
import dev.meshproof.runtime.config.ConfigProblem;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.type.matcher.v3.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Istio's AuthorizationPolicy as istiod's authz model sees it ({@code
 * pilot/pkg/security/authz/model/model.go} {@code New} / {@code Generate}): which policies select a
 * proxy (its namespace's and the root namespace's, selector on its labels), and the rules of a
 * group of policies as one Envoy RBAC config, each rule a policy named {@code
 * ns[<ns>]-policy[<name>]-rule[<i>]}, a policy without rules one that never matches. Per rule, each
 * {@code from} is a principal ANDing principals, namespaces, ipBlocks and the source {@code when}
 * keys; each {@code to} a permission ANDing hosts, methods, paths, ports and the destination {@code
 * when} keys ({@link AuthorizationGenerators}). Also what Meshproof cannot simulate yet ({@link
 * #unsupported}). The filters around these rules: {@link RbacFilterBuilder} (ALLOW, DENY, AUDIT)
 * and {@link ExtAuthzBuilder} (CUSTOM).
 *
 * <p>Deliberate differences: a source principal is matched as Envoy's {@code authenticated}
 * principal name (current istiod may match a filter state that istio-proxy's own filters set, which
 * upstream Envoy lacks); {@code ports} and {@code destination.port} name the workload port, which
 * on loopback is the inbound listener's own port, so the workload's service port is written as that
 * listener port. Request principals and {@code request.auth.*} match jwt_authn's payload metadata
 * ({@code payload}, written by {@link JwtAuthnBuilder}'s filter) as istiod's {@code
 * requestPrincipalGenerator} / {@code requestClaimGenerator} do. Service accounts, remote IP blocks
 * and the other {@code when} keys are refused at apply.
 */
public final class AuthorizationModel {
  private static final Policy MATCH_NEVER =
      Policy.newBuilder()
          .addPermissions(Permission.newBuilder().setNotRule(Permission.newBuilder().setAny(true)))
          .addPrincipals(Principal.newBuilder().setNotId(Principal.newBuilder().setAny(true)))
          .build();

  private AuthorizationModel() {}

  /**
   * Whether {@code policy} applies to {@code proxy}: its namespace or the root one, and selector.
   */
  static boolean selects(AuthorizationPolicy policy, ProxyNode proxy) {
    String ns = policy.meta().namespace();
    return (ns.equals(proxy.namespace()) || ns.equals(SidecarScope.ROOT_NAMESPACE))
        && policy.selector().entrySet().stream()
            .allMatch(e -> e.getValue().equals(proxy.labels().get(e.getKey())));
  }

  /** The policies without {@code istio.io/dry-run}: enforced rules. */
  static List<AuthorizationPolicy> enforced(List<AuthorizationPolicy> policies) {
    return policies.stream().filter(p -> !p.dryRun()).toList();
  }

  /** The {@code istio.io/dry-run} policies: shadow rules, evaluated and counted, never enforced. */
  static List<AuthorizationPolicy> dryRun(List<AuthorizationPolicy> policies) {
    return policies.stream().filter(AuthorizationPolicy::dryRun).toList();
  }

  /** The rules of {@code policies} for an HTTP filter, each name after {@code namePrefix}. */
  static RBAC httpRules(
      List<AuthorizationPolicy> policies,
      RBAC.Action action,
      ProxyNode.Inbound inbound,
      String namePrefix) {
    return rules(policies, action, inbound, namePrefix, false);
  }

  /** The rules of {@code policies} for a TCP filter chain, as istiod's {@code Generate(forTCP)}. */
  static RBAC tcpRules(
      List<AuthorizationPolicy> policies, RBAC.Action action, ProxyNode.Inbound inbound) {
    return rules(policies, action, inbound, "", true);
  }

  /**
   * The rules of {@code policies}, each name after {@code namePrefix} (istiod's policyName); {@code
   * forTcp} as istiod's {@code Generate(forTCP=true)}.
   */
  private static RBAC rules(
      List<AuthorizationPolicy> policies,
      RBAC.Action action,
      ProxyNode.Inbound inbound,
      String namePrefix,
      boolean forTcp) {
    Map<String, Policy> out = new LinkedHashMap<>();
    for (AuthorizationPolicy policy : policies) {
      String prefix =
          namePrefix
              + "ns["
              + policy.meta().namespace()
              + "]-policy["
              + policy.meta().name()
              + "]-rule[";
      if (policy.rules().isEmpty()) {
        out.put(prefix + "0]", MATCH_NEVER);
      }
      for (int i = 0; i < policy.rules().size(); i++) {
        AuthorizationPolicy.Rule rule = policy.rules().get(i);
        if (forTcp) {
          // istiod skips an ALLOW rule it cannot express on TCP; DENY and AUDIT drop the fields.
          java.util.Optional<AuthorizationPolicy.Rule> tcp =
              TcpAuthorization.forTcp(rule, action != RBAC.Action.ALLOW);
          if (tcp.isEmpty()) {
            continue;
          }
          rule = tcp.get();
        }
        out.put(prefix + i + "]", policy(rule, inbound));
      }
    }
    return RBAC.newBuilder().setAction(action).putAllPolicies(out).build();
  }

  private static Policy policy(AuthorizationPolicy.Rule rule, ProxyNode.Inbound inbound) {
    List<Principal> sourceWhen = new ArrayList<>();
    List<Permission> destinationWhen = new ArrayList<>();
    for (AuthorizationPolicy.Condition c : rule.when()) {
      String key = c.key();
      if (key.equals("destination.port")) {
        destinationWhen.addAll(permissions(c.values(), c.notValues(), v -> port(v, inbound)));
      } else if (key.equals("source.ip")) {
        sourceWhen.addAll(principals(c.values(), c.notValues(), AuthorizationGenerators::sourceIp));
      } else if (key.equals("source.namespace")) {
        sourceWhen.addAll(
            principals(c.values(), c.notValues(), AuthorizationGenerators::namespace));
      } else if (key.equals("source.principal")) {
        sourceWhen.addAll(
            principals(c.values(), c.notValues(), AuthorizationGenerators::principal));
      } else if (key.equals("request.auth.principal")) {
        sourceWhen.addAll(
            extended(c.values(), c.notValues(), AuthorizationGenerators::requestPrincipals));
      } else if (key.equals("request.auth.audiences")) {
        sourceWhen.addAll(extended(c.values(), c.notValues(), v -> claim(List.of("aud"), v)));
      } else if (key.equals("request.auth.presenter")) {
        sourceWhen.addAll(extended(c.values(), c.notValues(), v -> claim(List.of("azp"), v)));
      } else if (key.startsWith("request.auth.claims[")) {
        List<String> claims = claimPath(key.substring("request.auth.claims".length()));
        sourceWhen.addAll(extended(c.values(), c.notValues(), v -> claim(claims, v)));
      } else if (key.startsWith("request.headers[")) {
        String header = key.substring("request.headers[".length(), key.length() - 1);
        sourceWhen.addAll(
            principals(
                c.values(),
                c.notValues(),
                v -> Principal.newBuilder().setHeader(header(header, v, false)).build()));
      }
    }
    Policy.Builder policy = Policy.newBuilder();
    for (Map<String, List<String>> from : rule.from()) {
      List<Principal> and = new ArrayList<>();
      and.addAll(
          principals(
              from.getOrDefault("principals", List.of()),
              from.getOrDefault("notPrincipals", List.of()),
              AuthorizationGenerators::principal));
      and.addAll(
          extended(
              from.getOrDefault("requestPrincipals", List.of()),
              from.getOrDefault("notRequestPrincipals", List.of()),
              AuthorizationGenerators::requestPrincipals));
      and.addAll(
          principals(
              from.getOrDefault("namespaces", List.of()),
              from.getOrDefault("notNamespaces", List.of()),
              AuthorizationGenerators::namespace));
      and.addAll(
          principals(
              from.getOrDefault("ipBlocks", List.of()),
              from.getOrDefault("notIpBlocks", List.of()),
              AuthorizationGenerators::sourceIp));
      and.addAll(sourceWhen);
      policy.addPrincipals(principalAnd(and));
    }
    if (rule.from().isEmpty()) {
      policy.addPrincipals(principalAnd(sourceWhen));
    }
    for (Map<String, List<String>> to : rule.to()) {
      List<Permission> and = new ArrayList<>();
      and.addAll(
          permissions(
              to.getOrDefault("hosts", List.of()),
              to.getOrDefault("notHosts", List.of()),
              v -> Permission.newBuilder().setHeader(header(":authority", v, true)).build()));
      and.addAll(
          permissions(
              to.getOrDefault("methods", List.of()),
              to.getOrDefault("notMethods", List.of()),
              v -> Permission.newBuilder().setHeader(header(":method", v, false)).build()));
      and.addAll(
          permissions(
              to.getOrDefault("paths", List.of()),
              to.getOrDefault("notPaths", List.of()),
              v ->
                  Permission.newBuilder()
                      .setUrlPath(PathMatcher.newBuilder().setPath(string(v, "")))
                      .build()));
      and.addAll(
          permissions(
              to.getOrDefault("ports", List.of()),
              to.getOrDefault("notPorts", List.of()),
              v -> port(v, inbound)));
      and.addAll(destinationWhen);
      policy.addPermissions(permissionAnd(and));
    }
    if (rule.to().isEmpty()) {
      policy.addPermissions(permissionAnd(destinationWhen));
    }
    return policy.build();
  }

  private static final List<String> SUPPORTED_SOURCE =
      List.of(
          "principals",
          "notPrincipals",
          "requestPrincipals",
          "notRequestPrincipals",
          "namespaces",
          "notNamespaces",
          "ipBlocks",
          "notIpBlocks");
  private static final List<String> SUPPORTED_WHEN =
      List.of(
          "source.ip",
          "source.namespace",
          "source.principal",
          "destination.port",
          "request.auth.principal",
          "request.auth.audiences",
          "request.auth.presenter");
  private static final Pattern HEADER_KEY = Pattern.compile("request\\.headers\\[[^\\]]+\\]");

  /**
   * What of {@code policy} Meshproof cannot simulate yet, each a problem at the policy's line:
   * service accounts, remote IP blocks and {@code when} keys other than source ip / namespace /
   * principal, destination port, request headers and {@code request.auth.*}; also ports that are
   * not numbers and claims that are not {@code [name]} paths.
   */
  public static List<ConfigProblem> unsupported(AuthorizationPolicy policy) {
    List<ConfigProblem> problems = new ArrayList<>();
    String where = "AuthorizationPolicy " + policy.meta().namespace() + "/" + policy.meta().name();
    for (int r = 0; r < policy.rules().size(); r++) {
      AuthorizationPolicy.Rule rule = policy.rules().get(r);
      for (int f = 0; f < rule.from().size(); f++) {
        for (String field : rule.from().get(f).keySet()) {
          if (!SUPPORTED_SOURCE.contains(field)) {
            problems.add(
                problem(policy, "spec.rules[" + r + "].from[" + f + "].source." + field, field));
          }
        }
      }
      for (int t = 0; t < rule.to().size(); t++) {
        for (String field : List.of("ports", "notPorts")) {
          for (String port : rule.to().get(t).getOrDefault(field, List.of())) {
            if (!port.matches("[0-9]{1,5}")) {
              problems.add(
                  new ConfigProblem(
                      policy.meta().source(),
                      policy.meta().line(),
                      1,
                      "spec.rules[" + r + "].to[" + t + "].operation." + field,
                      "\"" + port + "\" (expected: a port number)"));
            }
          }
        }
      }
      for (int w = 0; w < rule.when().size(); w++) {
        String key = rule.when().get(w).key();
        if (key.startsWith("request.auth.claims")) {
          try {
            claimPath(key.substring("request.auth.claims".length()));
          } catch (IllegalArgumentException e) {
            problems.add(
                new ConfigProblem(
                    policy.meta().source(),
                    policy.meta().line(),
                    1,
                    "spec.rules[" + r + "].when[" + w + "].key",
                    "\""
                        + key
                        + "\" is not a claim (expected: request.auth.claims[name] or"
                        + " request.auth.claims[a][b])"));
          }
          continue;
        }
        if (!SUPPORTED_WHEN.contains(key) && !HEADER_KEY.matcher(key).matches()) {
          problems.add(
              problem(policy, "spec.rules[" + r + "].when[" + w + "].key", "when key " + key));
        }
      }
    }
    return problems.stream()
        .map(
            p ->
                new ConfigProblem(
                    p.source(), p.line(), p.column(), p.field(), where + ": " + p.message()))
        .toList();
  }

  private static ConfigProblem problem(AuthorizationPolicy policy, String field, String what) {
    return new ConfigProblem(
        policy.meta().source(),
        policy.meta().line(),
        1,
        field,
        what
            + " is valid Istio, but not supported by Meshproof yet (supported: ALLOW, DENY, AUDIT,"
            + " CUSTOM;"
            + " from principals, requestPrincipals, namespaces, ipBlocks and their not-forms; to"
            + " hosts, methods, paths, ports; when "
            + SUPPORTED_WHEN
            + ", request.headers[...] and request.auth.claims[...])");
  }
}
