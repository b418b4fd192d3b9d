package dev.meshproof.runtime.policy.route;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Envoy's {@code RedirectAction} (Istio's {@code HTTPRedirect}): the route answers with a redirect
 * instead of forwarding; {@link #location} is Envoy's {@code Http::Utility::newUri}.
 *
 * @param scheme {@code scheme_redirect}
 * @param host {@code host_redirect}
 * @param port {@code port_redirect} (absent when 0)
 * @param path {@code path_redirect}; the request's query is kept unless it has its own
 * @param responseCode 301, 302, 303, 307 or 308
 */
public record Redirect(
    Optional<String> scheme,
    Optional<String> host,
    OptionalInt port,
    Optional<String> path,
    int responseCode) {
  private static final Set<Integer> CODES = Set.of(301, 302, 303, 307, 308);

  public Redirect {
    if (!CODES.contains(responseCode)) {
      throw new IllegalArgumentException(
          "responseCode: " + responseCode + " (expected: one of 301, 302, 303, 307, 308)");
    }
  }

  /**
   * The {@code location} header for {@code request}, which arrived with {@code requestScheme} and
   * {@code x-forwarded-proto} {@code forwardedProto}.
   */
  public String location(RequestHeaders request, String requestScheme, String forwardedProto) {
    String finalScheme = scheme.orElse(requestScheme);
    String finalPort = port.isPresent() ? ":" + port.getAsInt() : "";
    String finalHost =
        host.orElseGet(
            () -> requestHost(request.authority(), finalScheme, finalPort, forwardedProto));
    String finalPath;
    if (path.isPresent()) {
      if (path.get().contains("?")) {
        finalPath = path.get();
      } else {
        int q = request.path().indexOf('?');
        finalPath = q < 0 ? path.get() : path.get() + request.path().substring(q);
      }
    } else {
      finalPath = request.path();
    }
    if (!finalPath.startsWith("/")) {
      finalPath = "/" + finalPath;
    }
    return finalScheme + "://" + finalHost + finalPort + finalPath;
  }

  /**
   * Envoy's {@code processRequestHost}: the request's host without its port when a new port is set,
   * or when the scheme changes and the port is the old scheme's default.
   */
  private static String requestHost(
      String authority, String newScheme, String newPort, String forwardedProto) {
    if (authority.isEmpty()) {
      return authority;
    }
    int end;
    if (authority.startsWith("[")) {
      end = authority.lastIndexOf("]:");
      if (end >= 0) {
        end += 1;
      }
    } else {
      end = authority.lastIndexOf(':');
    }
    if (end < 0) {
      return authority;
    }
    String requestPort = authority.substring(end);
    boolean removePort = !newPort.isEmpty();
    if (!newScheme.equals(forwardedProto)) {
      removePort |= forwardedProto.equalsIgnoreCase("https") && requestPort.equals(":443");
      removePort |= forwardedProto.equalsIgnoreCase("http") && requestPort.equals(":80");
    }
    return removePort ? authority.substring(0, end) : authority;
  }
}
