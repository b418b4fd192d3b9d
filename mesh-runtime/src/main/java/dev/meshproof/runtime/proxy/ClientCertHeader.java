package dev.meshproof.runtime.proxy;

import dev.meshproof.runtime.proxy.ProxyConfig.ClientCertConfig;
import dev.meshproof.runtime.security.PeerCertificateVerifier;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.ssl.SslHandler;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Envoy's {@code x-forwarded-client-cert} handling ({@code
 * ConnectionManagerUtility::mutateXfccRequestHeader}): ALWAYS_FORWARD_ONLY leaves the header;
 * SANITIZE, or a connection without a peer certificate, removes it; FORWARD_ONLY leaves it;
 * APPEND_FORWARD appends and SANITIZE_SET sets this hop's element: {@code By=} each local URI SAN,
 * {@code Hash=} the peer certificate's SHA-256, then the configured details in Envoy's order (Cert
 * as URL-encoded PEM, Subject, URI, DNS).
 */
final class ClientCertHeader {
  static final String XFCC = "x-forwarded-client-cert";

  private ClientCertHeader() {}

  /** Applies {@code config} to {@code headers} for a request that arrived on {@code connection}. */
  static void apply(HttpHeaders headers, ClientCertConfig config, Channel connection) {
    if (config.forward() == ClientCertConfig.Forward.ALWAYS_FORWARD_ONLY) {
      return;
    }
    Optional<SSLSession> session = session(connection);
    Optional<X509Certificate> peer = session.flatMap(ClientCertHeader::peerCertificate);
    if (config.forward() == ClientCertConfig.Forward.SANITIZE || peer.isEmpty()) {
      headers.remove(XFCC);
      return;
    }
    if (config.forward() == ClientCertConfig.Forward.FORWARD_ONLY) {
      return;
    }
    List<String> details = new ArrayList<>();
    Certificate[] local = session.get().getLocalCertificates();
    if (local != null && local.length > 0 && local[0] instanceof X509Certificate own) {
      PeerCertificateVerifier.uriSans(own).forEach(uri -> details.add("By=" + uri));
    }
    details.add("Hash=" + sha256(peer.get()));
    if (config.cert()) {
      details.add("Cert=\"" + urlEncodedPem(peer.get()) + "\"");
    }
    if (config.subject()) {
      details.add("Subject=\"" + peer.get().getSubjectX500Principal().getName() + "\"");
    }
    if (config.uri()) {
      PeerCertificateVerifier.uriSans(peer.get()).forEach(uri -> details.add("URI=" + uri));
    }
    if (config.dns()) {
      dnsSans(peer.get()).forEach(dns -> details.add("DNS=" + dns));
    }
    String element = String.join(";", details);
    String existing = headers.get(XFCC);
    if (config.forward() == ClientCertConfig.Forward.APPEND_FORWARD && existing != null) {
      headers.set(XFCC, existing + "," + element);
    } else {
      headers.set(XFCC, element);
    }
  }

  /** The certificate as Envoy's {@code urlEncodedPemEncodedPeerCertificate} gives it. */
  private static String urlEncodedPem(X509Certificate certificate) {
    try {
      String pem =
          "-----BEGIN CERTIFICATE-----\n"
              + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'})
                  .encodeToString(certificate.getEncoded())
              + "\n-----END CERTIFICATE-----\n";
      return java.net.URLEncoder.encode(pem, java.nio.charset.StandardCharsets.UTF_8)
          .replace("+", "%20");
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException("peer certificate cannot be encoded: " + e, e);
    }
  }

  /**
   * The connection as the RBAC filter sees it: the first URI SAN of the peer's certificate (Envoy's
   * {@code authenticated} principal), the remote address and the local port.
   */
  static RequestContext.DownstreamConnection downstreamConnection(Channel connection) {
    Optional<String> principal = session(connection).flatMap(ClientCertHeader::peerPrincipal);
    java.net.SocketAddress remote = connection.remoteAddress();
    java.net.SocketAddress local = connection.localAddress();
    return new RequestContext.DownstreamConnection(
        principal,
        remote instanceof java.net.InetSocketAddress r
            ? r.getAddress()
            : java.net.InetAddress.getLoopbackAddress(),
        local instanceof java.net.InetSocketAddress l ? l.getPort() : 0);
  }

  /** The first URI SAN of the certificate this proxy presented on {@code connection}, if any. */
  static Optional<String> localPrincipal(Channel connection) {
    return session(connection).flatMap(ClientCertHeader::localPrincipal);
  }

  /** The first URI SAN of the certificate this side of {@code session} presented, if any. */
  static Optional<String> localPrincipal(SSLSession session) {
    Certificate[] local = session.getLocalCertificates();
    return local != null && local.length > 0 && local[0] instanceof X509Certificate x509
        ? PeerCertificateVerifier.uriSans(x509).stream().findFirst()
        : Optional.empty();
  }

  /** The first URI SAN of the certificate the other side of {@code session} presented, if any. */
  static Optional<String> peerPrincipal(SSLSession session) {
    return peerCertificate(session)
        .flatMap(peer -> PeerCertificateVerifier.uriSans(peer).stream().findFirst());
  }

  private static Optional<SSLSession> session(Channel connection) {
    SslHandler tls = connection.pipeline().get(SslHandler.class);
    return tls == null ? Optional.empty() : Optional.ofNullable(tls.engine().getSession());
  }

  private static Optional<X509Certificate> peerCertificate(SSLSession session) {
    try {
      Certificate[] peer = session.getPeerCertificates();
      return peer.length > 0 && peer[0] instanceof X509Certificate x509
          ? Optional.of(x509)
          : Optional.empty();
    } catch (SSLPeerUnverifiedException e) {
      return Optional.empty();
    }
  }

  private static List<String> dnsSans(X509Certificate certificate) {
    List<String> out = new ArrayList<>();
    try {
      var names = certificate.getSubjectAlternativeNames();
      if (names != null) {
        for (List<?> name : names) {
          if (Integer.valueOf(2).equals(name.get(0))) {
            out.add((String) name.get(1));
          }
        }
      }
    } catch (java.security.cert.CertificateParsingException e) {
      return List.of();
    }
    return out;
  }

  private static String sha256(X509Certificate certificate) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      throw new IllegalStateException("cannot hash the peer certificate", e);
    }
  }

  /**
   * The connection of a request's channel: an HTTP/2 stream's parent; an HTTP/1.1 channel is the
   * connection itself (its parent is the listening socket).
   */
  static Channel connectionOf(Channel channel) {
    return channel instanceof io.netty.handler.codec.http2.Http2StreamChannel
        ? channel.parent()
        : channel;
  }
}
