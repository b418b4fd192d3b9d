package dev.meshproof.runtime.policy.authn;

/**
 * Istio's {@code PeerAuthentication.MutualTLS.Mode}: what a workload's inbound side accepts (<a
 * href="https://istio.io/latest/docs/reference/config/security/peer_authentication/">docs</a>).
 */
public enum PeerAuthenticationMode {
  /** Inherit from the parent scope (port from workload, workload from namespace, ...). */
  UNSET,
  /** Plaintext only. */
  DISABLE,
  /** mTLS and plaintext on the same port, told apart per connection. */
  PERMISSIVE,
  /** mTLS only: a plaintext connection is closed before it reaches the app. */
  STRICT
}
