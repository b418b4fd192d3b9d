package dev.meshproof.runtime.policy.authn;

import java.util.Locale;

/**
 * A header a token is read from ({@code fromHeaders}): its name (lower-case, as Envoy's header map)
 * and the prefix the value must start with, e.g. {@code "Bearer "}; a value without the prefix
 * carries no token.
 */
public record JwtHeaderLocation(String name, String prefix) {
  public JwtHeaderLocation {
    name = name.toLowerCase(Locale.ROOT);
    prefix = prefix == null ? "" : prefix;
  }
}
