package dev.meshproof.runtime.proxy;

import dev.meshproof.runtime.policy.authz.ExtAuthzPolicy;
import dev.meshproof.runtime.policy.route.RequestHeaders;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Envoy's HTTP external authorization filter: when the pure {@link ExtAuthzPolicy} is enabled for
 * the request (a CUSTOM policy's RBAC shadow rule matched), the check request it builds goes to the
 * provider's cluster through the router; the policy's verdict lets the request through (with the
 * provider's permitted headers set on it) or answers it with the provider's status, body and
 * permitted headers. Counted as Envoy does under {@code http.<stat_prefix>.ext_authz.}: {@code ok},
 * {@code denied}, {@code error}, {@code disabled}. Netty only moves the bytes.
 */
final class ExtAuthzFilter implements HttpFilter {

  /** Sends a check request to a cluster; the caller owns the response. */
  @FunctionalInterface
  interface Client {
    CompletableFuture<FullHttpResponse> call(
        RequestContext request, String cluster, FullHttpRequest check, Duration timeout);
  }

  private final ExtAuthzPolicy policy;
  private final Client client;
  private final Consumer<String> counters;

  ExtAuthzFilter(ExtAuthzPolicy policy, Client client, Consumer<String> counters) {
    this.policy = policy;
    this.client = client;
    this.counters = counters;
  }

  @Override
  public FilterDecision onRequest(RequestContext request) {
    if (!policy.enabledFor(request.rbacMetadata())) {
      counters.accept("disabled");
      return FilterDecision.CONTINUE;
    }
    RequestHeaders headers = request.headers();
    ExtAuthzPolicy.CheckRequest check =
        policy.checkRequest(
            headers.method(), headers.path(), headers.authority(), headers.headers());
    FullHttpRequest message =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1,
            HttpMethod.valueOf(check.method()),
            check.path(),
            Unpooled.EMPTY_BUFFER);
    check.headers().forEach(message.headers()::set);
    CompletableFuture<Supplier<FilterDecision>> decided =
        client
            .call(request, policy.cluster(), message, policy.timeout())
            .handle(
                (response, error) -> {
                  ExtAuthzPolicy.Verdict verdict;
                  if (error != null) {
                    verdict = policy.onError();
                  } else {
                    try {
                      verdict =
                          policy.onResponse(
                              response.status().code(),
                              headersOf(response),
                              response.content().toString(StandardCharsets.UTF_8));
                    } finally {
                      response.release();
                    }
                  }
                  ExtAuthzPolicy.Verdict decidedVerdict = verdict;
                  return () -> apply(decidedVerdict, request);
                });
    return new FilterDecision.Await(decided);
  }

  /** Runs on the request's event loop: may change the downstream message. */
  private FilterDecision apply(ExtAuthzPolicy.Verdict verdict, RequestContext request) {
    if (verdict instanceof ExtAuthzPolicy.Deny deny) {
      counters.accept(deny.counter());
      DefaultHttpHeaders reply = new DefaultHttpHeaders();
      deny.headers().forEach((name, values) -> reply.add(name, values));
      if (!deny.body().isEmpty() && !reply.contains("content-type")) {
        // Envoy's local reply with a body is text/plain unless the provider's header says else.
        reply.set("content-type", "text/plain");
      }
      return new FilterDecision.Respond(
          new RequestOutcome.DirectReply(deny.status(), reply, deny.body(), "-"));
    }
    ExtAuthzPolicy.Allow allow = (ExtAuthzPolicy.Allow) verdict;
    counters.accept(allow.counter());
    if (allow.counter().equals("error")) {
      // Envoy counts a failure let through under both.
      counters.accept("failure_mode_allowed");
    }
    if (allow.upstreamHeaders().isEmpty()) {
      return FilterDecision.CONTINUE;
    }
    RequestHeaders headers = request.headers();
    Map<String, List<String>> changed = new LinkedHashMap<>(headers.headers());
    allow
        .upstreamHeaders()
        .forEach(
            (name, value) -> {
              request.downstream().headers().set(name, value);
              changed.put(name, new ArrayList<>(List.of(value)));
            });
    return new FilterDecision.ContinueWith(
        request.withHeaders(
            new RequestHeaders(headers.method(), headers.path(), headers.authority(), changed)));
  }

  private static Map<String, List<String>> headersOf(FullHttpResponse response) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> h : response.headers()) {
      out.computeIfAbsent(h.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
          .add(h.getValue());
    }
    return out;
  }
}
