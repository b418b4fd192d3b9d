package dev.meshproof.runtime.proxy;

import java.util.Optional;
import javax.net.ssl.SSLSession;

/**
 * The principals of the upstream connection a response came on, as Istio's stats filter reports
 * them on the source side ({@code istio_stats.cc}, {@code Reporter::ClientSidecar}: the first URI
 * SAN of the upstream connection's local and peer certificates): {@code source_principal} is the
 * certificate this proxy presented, {@code destination_principal} the one the upstream presented.
 * Both empty on a plaintext connection, where the labels are {@code unknown}.
 *
 * @param local the first URI SAN of the certificate this proxy presented upstream
 * @param peer the first URI SAN of the upstream's certificate
 */
record UpstreamPrincipals(Optional<String> local, Optional<String> peer) {
  /** A plaintext upstream, or none reached. */
  static final UpstreamPrincipals NONE = new UpstreamPrincipals(Optional.empty(), Optional.empty());

  /** Where a session keeps its principals once read: a session serves many requests. */
  private static final String SESSION_KEY = "meshproof.upstreamPrincipals";

  /** The principals of {@code tls}, read once per session; {@link #NONE} in plaintext. */
  static UpstreamPrincipals of(Optional<SSLSession> tls) {
    if (tls.isEmpty()) {
      return NONE;
    }
    SSLSession session = tls.get();
    if (session.getValue(SESSION_KEY) instanceof UpstreamPrincipals known) {
      return known;
    }
    UpstreamPrincipals read =
        new UpstreamPrincipals(
            ClientCertHeader.localPrincipal(session), ClientCertHeader.peerPrincipal(session));
    session.putValue(SESSION_KEY, read);
    return read;
  }
}
