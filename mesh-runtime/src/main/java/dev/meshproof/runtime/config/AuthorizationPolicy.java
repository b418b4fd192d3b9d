package dev.meshproof.runtime.config;

import java.util.List;
import java.util.Map;

/**
 * Istio's <a
 * href="https://istio.io/latest/docs/reference/config/security/authorization-policy/">AuthorizationPolicy</a>:
 * an action (ALLOW, DENY, AUDIT, CUSTOM) for requests matching its rules, translated to the inbound
 * listener's HTTP RBAC filters (CUSTOM and JWT request principals are rejected as not supported
 * yet).
 */
public record AuthorizationPolicy(
    ResourceMeta meta, Map<String, String> selector, String action, List<Rule> rules)
    implements IstioResource {

  public AuthorizationPolicy {
    selector = Map.copyOf(selector);
    rules = List.copyOf(rules);
  }

  @Override
  public AuthorizationPolicy withMeta(ResourceMeta newMeta) {
    return new AuthorizationPolicy(newMeta, selector, action, rules);
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
