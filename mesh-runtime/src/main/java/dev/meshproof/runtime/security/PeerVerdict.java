package dev.meshproof.runtime.security;

import java.util.Optional;

/**
 * Whether a peer's certificate chain is admitted, and why not, as Envoy's certificate validator
 * decides it ({@code DefaultCertValidator}: chain to a trusted CA within its validity, then the SAN
 * matchers). Every refusal names its reason, so a reachability matrix can say how a caller was
 * refused.
 */
public sealed interface PeerVerdict {

  /** The chain verified and a SAN matched; the peer's SPIFFE id when it has one. */
  record Accepted(Optional<SpiffeId> identity, String uriSan) implements PeerVerdict {}

  /** The chain was refused. */
  record Rejected(Reason reason, String detail) implements PeerVerdict {}

  /** Why a chain is refused (Envoy's {@code ssl.fail_verify_*} counters in comments). */
  enum Reason {
    /** No certificate was presented where one is required ({@code ssl.fail_verify_no_cert}). */
    NO_CERTIFICATE,
    /** The leaf or an intermediate is past its notAfter ({@code ssl.fail_verify_error}). */
    EXPIRED,
    /** The leaf or an intermediate is before its notBefore ({@code ssl.fail_verify_error}). */
    NOT_YET_VALID,
    /** The chain does not lead to a trusted root ({@code ssl.fail_verify_error}). */
    UNTRUSTED_ISSUER,
    /** No URI SAN matched the validation context ({@code ssl.fail_verify_san}). */
    SAN_MISMATCH
  }

  default boolean accepted() {
    return this instanceof Accepted;
  }
}
