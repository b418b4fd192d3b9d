package dev.meshproof.common;

import java.net.http.HttpClient;
import java.time.Duration;

/**
 * The JVM's one JDK {@link HttpClient} for the testbed's own loopback reads: proxies' admin
 * endpoints ({@code /ready}, {@code /stats}, {@code /config_dump}) and the JWKS a control plane
 * fetches for a RequestAuthentication. One, made on first use, because each JDK client keeps a
 * selector thread and its descriptors until it is garbage collected: one per proxy, run or control
 * plane piled them up between collections ({@code RepeatedRunsLeakIT}). HTTP/1.1 (admin endpoints
 * and fake services speak it), redirects not followed (a JWKS redirect is the server's answer, as
 * for Envoy), and a short connect timeout (everything is on 127.0.0.1); callers set each request's
 * own timeout.
 */
public final class LoopbackHttp {
  private LoopbackHttp() {}

  private static final class Holder {
    static final HttpClient CLIENT =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
  }

  /** The shared client. */
  public static HttpClient client() {
    return Holder.CLIENT;
  }
}
