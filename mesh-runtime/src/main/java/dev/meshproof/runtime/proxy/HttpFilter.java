package dev.meshproof.runtime.proxy;

/**
 * A decoding HTTP filter of a listener's connection manager (Envoy's {@code StreamDecoderFilter}),
 * run in {@code http_filters} order before the router. Filters decide by returning a {@link
 * FilterDecision}; they never write to the connection themselves.
 */
@FunctionalInterface
interface HttpFilter {
  FilterDecision onRequest(RequestContext request);
}
