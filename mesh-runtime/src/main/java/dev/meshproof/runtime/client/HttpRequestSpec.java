package dev.meshproof.runtime.client;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request an app sends into the mesh: method, URL as the app writes it ({@code
 * http://catalog/items}, whose host becomes the Host header), headers, body and the client-side
 * timeout after which the outcome is {@link HttpOutcome.Kind#TIMEOUT}. A {@code tcp://host:port}
 * URL stands for one TCP connection to that service port carrying the body as one line.
 */
public record HttpRequestSpec(
    String method, URI url, Map<String, String> headers, byte[] body, Duration timeout) {

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  public HttpRequestSpec {
    if (!("http".equals(url.getScheme()) || ("tcp".equals(url.getScheme()) && url.getPort() > 0))
        || url.getHost() == null) {
      throw new IllegalArgumentException(
          "url: "
              + url
              + " (expected: http://<service>[:port]/path, or tcp://<service>:<port> for one TCP"
              + " connection per request)");
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
    }
    headers = Map.copyOf(headers);
    body = body.clone();
  }

  public static HttpRequestSpec get(String url) {
    return new HttpRequestSpec("GET", URI.create(url), Map.of(), new byte[0], DEFAULT_TIMEOUT);
  }

  public HttpRequestSpec withHeader(String name, String value) {
    Map<String, String> copy = new LinkedHashMap<>(headers);
    copy.put(name, value);
    return new HttpRequestSpec(method, url, copy, body, timeout);
  }

  /** The Host header: the URL's host, with its port unless it is the default 80. */
  public String authority() {
    return url.getPort() == -1 || url.getPort() == 80
        ? url.getHost()
        : url.getHost() + ":" + url.getPort();
  }

  /** Path and query, as sent on the request line. */
  public String pathAndQuery() {
    String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
    return url.getRawQuery() == null ? path : path + "?" + url.getRawQuery();
  }
}
