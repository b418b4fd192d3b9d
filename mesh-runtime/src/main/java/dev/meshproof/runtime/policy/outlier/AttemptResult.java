package dev.meshproof.runtime.policy.outlier;

/**
 * What the outlier detector learns from one upstream attempt, as Envoy's router reports it: an HTTP
 * status from the upstream, or a local-origin failure ({@code Outlier::Result}). Overflowed
 * requests never reach a host and report nothing.
 */
public sealed interface AttemptResult {
  /** The upstream answered with {@code status}. */
  record HttpStatus(int status) implements AttemptResult {}

  /** No connection, or it was reset before a response: {@code LocalOriginConnectFailed} (503). */
  record ConnectFailed() implements AttemptResult {}

  /** The per-try or route timeout fired: {@code LocalOriginTimeout} (504). */
  record Timeout() implements AttemptResult {}
}
