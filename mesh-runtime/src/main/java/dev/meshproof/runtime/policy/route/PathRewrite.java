package dev.meshproof.runtime.policy.route;

import java.util.Optional;

/**
 * Envoy's {@code prefix_rewrite} and {@code host_rewrite_literal} (Istio's {@code rewrite.uri} and
 * {@code rewrite.authority}): what the router changes in the request before forwarding it.
 */
public record PathRewrite(Optional<String> prefix, Optional<String> authority) {
  public PathRewrite {
    if (prefix.isEmpty() && authority.isEmpty()) {
      throw new IllegalArgumentException(
          "rewrite: neither prefix nor authority (expected: at least one)");
    }
  }
}
