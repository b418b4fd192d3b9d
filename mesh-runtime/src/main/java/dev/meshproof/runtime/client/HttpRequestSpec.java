package dev.meshproof.runtime.client;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A request an app sends into the mesh: method, URL as the app writes it ({@code
 * http://catalog/items}, whose host becomes the Host header), headers, body and the client-side
 * timeout after which the outcome is {@link HttpOutcome.Kind#TIMEOUT}. A {@code tcp://host:port}
 * URL stands for one TCP connection to that service port carrying the body as one line.
 */
public record HttpRequestSpec(
    String method,
    URI url,
    Map<String, String> headers,
    byte[] body,
    Duration timeout,
    /** For an {@code https://} URL: the client's TLS (required then, absent otherwise). */
    Optional<ClientTls> tls) {

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  public HttpRequestSpec {
    boolean https = "https".equals(url.getScheme());
    if (!("http".equals(url.getScheme())
            || https
            || ("tcp".equals(url.getScheme()) && url.getPort() > 0))
        || url.getHost() == null) {
      throw new IllegalArgumentException(
          "url: "
              + url
              + " (expected: http://<service>[:port]/path, https://<host>[:port]/path to an"
              + " ingress gateway, or tcp://<service>:<port> for one TCP connection per request)");
    }
    if (https != tls.isPresent()) {
      throw new IllegalArgumentException(
          "url: "
              + url
              + (https
                  ? " needs the client's TLS (expected: tls with at least caCertificates)"
                  : " is not https, so tls does not apply (expected: an https:// URL)"));
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
    }
    headers = Map.copyOf(headers);
    body = body.clone();
  }

  /** A plain-text (or TCP) request. */
  public HttpRequestSpec(
      String method, URI url, Map<String, String> headers, byte[] body, Duration timeout) {
    this(method, url, headers, body, timeout, Optional.empty());
  }

  public static HttpRequestSpec get(String url) {
    return new HttpRequestSpec("GET", URI.create(url), Map.of(), new byte[0], DEFAULT_TIMEOUT);
  }

  public HttpRequestSpec withHeader(String name, String value) {
    Map<String, String> copy = new LinkedHashMap<>(headers);
    copy.put(name, value);
    return new HttpRequestSpec(method, url, copy, body, timeout, tls);
  }

  /** True for an {@code https://} URL. */
  public boolean https() {
    return "https".equals(url.getScheme());
  }

  /** The URL's port, or its scheme's default (80, or 443 for https). */
  public int port() {
    return url.getPort() >= 0 ? url.getPort() : https() ? 443 : 80;
  }

  /** The Host header: the URL's host, with its port unless it is the scheme's default. */
  public String authority() {
    return url.getPort() == -1 || url.getPort() == (https() ? 443 : 80)
        ? url.getHost()
        : url.getHost() + ":" + url.getPort();
  }

  /** Path and query, as sent on the request line. */
  public String pathAndQuery() {
    String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
    return url.getRawQuery() == null ? path : path + "?" + url.getRawQuery();
  }
}
