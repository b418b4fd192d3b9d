package dev.meshproof.runtime.client;

import dev.meshproof.runtime.transport.HttpConnectionPool;
import dev.meshproof.runtime.transport.UpstreamConnectionSettings;
import dev.meshproof.runtime.transport.UpstreamException;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * An app's HTTP client inside the mesh: it sends plain HTTP/1.1 to its own sidecar's outbound
 * listener of the destination's port with the destination in the Host header, which is what
 * iptables capture achieves in Kubernetes. Scenario authors write {@code http://catalog/items} and
 * never see the sidecar port.
 */
public final class MeshHttpClient {
  private static final java.time.Duration CONNECT_TIMEOUT = java.time.Duration.ofSeconds(10);
  private static final UpstreamConnectionSettings GRPC =
      UpstreamConnectionSettings.ENVOY_DEFAULTS.withConnectTimeout(CONNECT_TIMEOUT).withHttp2(true);

  private static final UpstreamConnectionSettings HTTPS =
      UpstreamConnectionSettings.ENVOY_DEFAULTS.withConnectTimeout(CONNECT_TIMEOUT);

  private final HttpConnectionPool connections;
  private final java.util.function.IntFunction<InetSocketAddress> sidecar;

  /**
   * One client context per TLS setting and SNI, so connections with the same setting are pooled.
   * Per SNI too: the JDK's client resumes a session cached for the peer address and then sends the
   * resumed session's server name, not the one asked for (so a request for another host would reach
   * the first one's filter chain); a client such as curl starts every run afresh.
   */
  private final java.util.concurrent.ConcurrentMap<TlsKey, io.netty.handler.ssl.SslContext>
      tlsContexts = new java.util.concurrent.ConcurrentHashMap<>();

  private record TlsKey(ClientTls tls, java.util.Optional<String> sni) {}

  /** A client whose every request connects to {@code listener} (a gateway's, say). */
  public MeshHttpClient(HttpConnectionPool connections, InetSocketAddress listener) {
    this(connections, port -> listener);
  }

  /**
   * A client that connects, for a request to port {@code p} (the URL's, as the app dials it), to
   * {@code sidecarOutbound.apply(p)}: the sidecar's outbound listener of that port, as iptables
   * hands the connection to the listener of its original destination port.
   */
  public MeshHttpClient(
      HttpConnectionPool connections,
      java.util.function.IntFunction<InetSocketAddress> sidecarOutbound) {
    this.connections = connections;
    this.sidecar = sidecarOutbound;
  }

  public CompletableFuture<HttpOutcome> get(String url) {
    return send(HttpRequestSpec.get(url));
  }

  /** Sends {@code spec}; the future always completes normally, with the outcome. */
  public CompletableFuture<HttpOutcome> send(HttpRequestSpec spec) {
    long start = System.nanoTime();
    FullHttpRequest request =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1,
            HttpMethod.valueOf(spec.method()),
            spec.pathAndQuery(),
            Unpooled.wrappedBuffer(spec.body()));
    spec.headers().forEach((name, value) -> request.headers().set(name, value));
    // A Host the app wrote (e.g. catalog:80) is sent exactly as written; else the URL's authority.
    if (!request.headers().contains(HttpHeaderNames.HOST)) {
      request.headers().set(HttpHeaderNames.HOST, spec.authority());
    }
    HttpUtil.setContentLength(request, spec.body().length);
    // gRPC only runs over HTTP/2: such a request goes to the sidecar as h2c by prior knowledge, as
    // a gRPC client in the pod would send it.
    boolean grpc =
        spec.headers().entrySet().stream()
            .anyMatch(
                h ->
                    h.getKey().equalsIgnoreCase("content-type")
                        && h.getValue().toLowerCase(Locale.ROOT).startsWith("application/grpc"));
    // A gRPC call also records when its first message arrived (a server stream's first answer) and
    // keeps its length-prefixed messages as bytes.
    java.util.concurrent.atomic.AtomicLong firstBody = new java.util.concurrent.atomic.AtomicLong();
    java.util.concurrent.CompletableFuture<io.netty.handler.codec.http.FullHttpResponse> sent;
    InetSocketAddress sidecar = this.sidecar.apply(spec.port());
    if (spec.https()) {
      ClientTls tls = spec.tls().orElseThrow();
      java.util.Optional<String> sni =
          tls.sni().or(() -> java.util.Optional.of(spec.url().getHost())).filter(n -> !n.isEmpty());
      sent =
          connections.send(
              sidecar,
              request,
              spec.timeout(),
              HTTPS,
              java.util.Optional.of(
                  new dev.meshproof.runtime.transport.UpstreamTls(
                      tlsContexts.computeIfAbsent(
                          new TlsKey(tls, sni), key -> clientContext(key.tls())),
                      sni)));
    } else if (grpc) {
      sent =
          connections.send(
              sidecar,
              request,
              spec.timeout(),
              GRPC,
              Optional.empty(),
              () -> {
                java.time.Instant now = java.time.Instant.now();
                firstBody.set(now.getEpochSecond() * 1_000_000_000L + now.getNano());
              });
    } else {
      sent = connections.send(sidecar, request, spec.timeout());
    }
    return sent.handle(
        (response, error) -> {
          Duration latency = Duration.ofNanos(System.nanoTime() - start);
          if (error != null) {
            Throwable cause =
                error instanceof CompletionException && error.getCause() != null
                    ? error.getCause()
                    : error;
            HttpOutcome.Kind kind = HttpOutcome.Kind.RESET;
            if (cause instanceof UpstreamException upstream) {
              kind =
                  switch (upstream.kind()) {
                    case CONNECT_FAILURE -> HttpOutcome.Kind.CONNECT_FAILURE;
                    case RESET -> HttpOutcome.Kind.RESET;
                    case TIMEOUT -> HttpOutcome.Kind.TIMEOUT;
                  };
            }
            return HttpOutcome.failure(kind, latency, String.valueOf(cause.getMessage()));
          }
          try {
            Map<String, List<String>> headers = new LinkedHashMap<>();
            // Trailers (grpc-status, grpc-message) join the headers, as a gRPC client reads
            // a call's status from either.
            List<Map.Entry<String, String>> all = new ArrayList<>(response.headers().entries());
            all.addAll(response.trailingHeaders().entries());
            for (Map.Entry<String, String> header : all) {
              headers
                  .computeIfAbsent(header.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                  .add(header.getValue());
            }
            return new HttpOutcome(
                HttpOutcome.Kind.RESPONSE,
                response.status().code(),
                headers,
                response.content().toString(StandardCharsets.UTF_8),
                latency,
                "",
                firstBody.get(),
                java.nio.ByteBuffer.wrap(
                    grpc ? io.netty.buffer.ByteBufUtil.getBytes(response.content()) : new byte[0]));
          } finally {
            response.release();
          }
        });
  }

  /**
   * The client context of an https client outside the mesh: TLS 1.3 and 1.2 as curl offers them, no
   * ALPN (HTTP/1.1), the gateway's certificate verified against the CA bundle only (no host name
   * check, {@link ClientTls}), the client certificate presented when asked.
   */
  private static io.netty.handler.ssl.SslContext clientContext(ClientTls tls) {
    try {
      var builder =
          io.netty.handler.ssl.SslContextBuilder.forClient()
              .sslProvider(io.netty.handler.ssl.SslProvider.JDK)
              .endpointIdentificationAlgorithm(null)
              .protocols("TLSv1.3", "TLSv1.2")
              .trustManager(
                  dev.meshproof.runtime.security.Pem.parseCertificates(
                          tls.caCertificates(), "tls.caCertificates")
                      .toArray(java.security.cert.X509Certificate[]::new));
      if (tls.certificateChain().isPresent()) {
        builder.keyManager(
            dev.meshproof.runtime.security.Pem.parsePrivateKey(
                tls.privateKey().orElseThrow(), "tls.privateKey"),
            dev.meshproof.runtime.security.Pem.parseCertificates(
                    tls.certificateChain().get(), "tls.clientCertificate")
                .toArray(java.security.cert.X509Certificate[]::new));
      }
      return builder.build();
    } catch (javax.net.ssl.SSLException e) {
      throw new IllegalArgumentException(
          "tls: cannot build the client's TLS: " + e.getMessage(), e);
    }
  }
}
