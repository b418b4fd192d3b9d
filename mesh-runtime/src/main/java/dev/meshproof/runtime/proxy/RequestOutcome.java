package dev.meshproof.runtime.proxy;

import dev.meshproof.runtime.telemetry.ResponseFlag;
import io.netty.handler.codec.http.FullHttpResponse;
import java.util.Optional;

/**
 * How a request ended, as a value: the one thing the connection adapter writes, counts and logs.
 * Route, cluster and host are {@code -} where the request did not get that far.
 */
sealed interface RequestOutcome {

  int status();

  Optional<ResponseFlag> flag();

  String route();

  String cluster();

  String host();

  /** The sidecar answered itself (no route, no healthy upstream, upstream failure, a filter). */
  record LocalReply(
      int status, ResponseFlag responseFlag, String body, String route, String cluster, String host)
      implements RequestOutcome {
    @Override
    public Optional<ResponseFlag> flag() {
      return Optional.of(responseFlag);
    }
  }

  /** The upstream's response, to be forwarded; the writer owns (and releases) the message. */
  record Proxied(FullHttpResponse response, String route, String cluster, String host)
      implements RequestOutcome {
    @Override
    public int status() {
      return response.status().code();
    }

    @Override
    public Optional<ResponseFlag> flag() {
      return Optional.empty();
    }
  }
}
