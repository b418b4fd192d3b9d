package dev.meshproof.runtime.client;

import dev.meshproof.runtime.transport.HttpConnectionPool;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * An app's HTTP client inside the mesh: it sends plain HTTP/1.1 to its own sidecar's outbound
 * listener with the destination in the Host header, which is what iptables capture achieves in
 * Kubernetes. Scenario authors write {@code http://catalog/items} and never see the sidecar port.
 */
public final class MeshHttpClient {
  private final HttpConnectionPool connections;
  private final InetSocketAddress sidecar;

  public MeshHttpClient(HttpConnectionPool connections, InetSocketAddress sidecarOutbound) {
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
    return connections
        .send(sidecar, request, spec.timeout())
        .handle(
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
                for (Map.Entry<String, String> header : response.headers()) {
                  headers
                      .computeIfAbsent(
                          header.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                      .add(header.getValue());
                }
                return new HttpOutcome(
                    HttpOutcome.Kind.RESPONSE,
                    response.status().code(),
                    headers,
                    response.content().toString(StandardCharsets.UTF_8),
                    latency,
                    "");
              } finally {
                response.release();
              }
            });
  }
}
