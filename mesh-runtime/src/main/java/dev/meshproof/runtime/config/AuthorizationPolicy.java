package dev.meshproof.runtime.config;

import java.util.List;
import java.util.Map;

/**
 * Istio's <a
 * href="https://istio.io/latest/docs/reference/config/security/authorization-policy/">AuthorizationPolicy</a>:
 * an action (ALLOW, DENY, AUDIT, CUSTOM) for requests matching its rules, translated to the inbound
 * listener's HTTP RBAC filters (CUSTOM: an RBAC filter of shadow rules and ext_authz). {@code
 * dryRun} is the {@code istio.io/dry-run} annotation: the policy is evaluated as the filter's
 * shadow rules and never changes a request's outcome. {@code provider} is a CUSTOM policy's {@code
 * provider.name} (an {@link ExtensionProvider} of the mesh config), empty for the other actions.
 */
public record AuthorizationPolicy(
    ResourceMeta meta,
    Map<String, String> selector,
    String action,
    List<Rule> rules,
    boolean dryRun,
    String provider)
    implements IstioResource {

  /** The {@code istio.io/dry-run} annotation. */
  public static final String DRY_RUN_ANNOTATION = "istio.io/dry-run";

  public AuthorizationPolicy {
    selector = Map.copyOf(selector);
    rules = List.copyOf(rules);
    java.util.Objects.requireNonNull(provider, "provider");
  }

  /** An enforced policy (no {@code istio.io/dry-run} annotation). */
  public AuthorizationPolicy(
      ResourceMeta meta, Map<String, String> selector, String action, List<Rule> rules) {
    this(meta, selector, action, rules, false, "");
  }

  @Override
  public AuthorizationPolicy withMeta(ResourceMeta newMeta) {
    return new AuthorizationPolicy(newMeta, selector, action, rules, dryRun, provider);
  }

  /** This policy with its {@code istio.io/dry-run} annotation's value. */
  public AuthorizationPolicy withDryRun(boolean newDryRun) {
    return new AuthorizationPolicy(meta, selector, action, rules, newDryRun, provider);
  }

  /** This policy with a CUSTOM action's {@code provider.name}. */
  public AuthorizationPolicy withProvider(String newProvider) {
    return new AuthorizationPolicy(meta, selector, action, rules, dryRun, newProvider);
  }

  /**
   * One rule: its {@code from[].source} and {@code to[].operation} blocks (field name to values, as
   * written) and {@code when} conditions.
   */
  public record Rule(
      List<Map<String, List<String>>> from,
      List<Map<String, List<String>>> to,
      List<Condition> when) {
    public Rule {
      from = List.copyOf(from);
      to = List.copyOf(to);
      when = List.copyOf(when);
    }
  }

  /** A {@code when} condition. */
  public record Condition(String key, List<String> values, List<String> notValues) {
    public Condition {
      values = List.copyOf(values);
      notValues = List.copyOf(notValues);
    }
  }
}
