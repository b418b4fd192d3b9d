package dev.meshproof.scenario.traffic;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How the requests of one traffic block differ from each other: request {@code i} takes the
 * traffic's request, then the entries of {@code variants.get(i % variants.size())} (its URL, its
 * headers added or replacing, its body), then every {@value #SEQ} in the URL, header values and
 * body is replaced by {@code i} (the request's sequence number in its traffic, from 0). A URL with
 * {@value #SEQ} is kept as {@code urlTemplate}, since braces are not allowed in a URI.
 */
public record RequestVariation(Optional<String> urlTemplate, List<Variant> variants) {

  /** The placeholder replaced by the request's sequence number. */
  public static final String SEQ = "${seq}";

  /** No variation: every request is the traffic's request. */
  public static final RequestVariation NONE = new RequestVariation(Optional.empty(), List.of());

  public RequestVariation {
    variants = List.copyOf(variants);
  }

  /** One entry of a list of variants: what it changes in the traffic's request. */
  public record Variant(Optional<String> url, Map<String, String> headers, Optional<String> body) {
    public Variant {
      headers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    /** Only another URL (a path from a list, e.g. {@code http://catalog/items/7}). */
    public static Variant url(String url) {
      return new Variant(Optional.of(url), Map.of(), Optional.empty());
    }
  }

  /** True when every request is the same. */
  public boolean isNone() {
    return urlTemplate.isEmpty() && variants.isEmpty();
  }

  /** The URL of request {@code index}, given the traffic's (untemplated) URL. */
  String url(String base, int index) {
    String url =
        variants.isEmpty()
            ? urlTemplate.orElse(base)
            : variants.get(index % variants.size()).url().orElse(urlTemplate.orElse(base));
    return substitute(url, index);
  }

  Map<String, String> headers(Map<String, String> base, int index) {
    Map<String, String> headers = new LinkedHashMap<>(base);
    if (!variants.isEmpty()) {
      headers.putAll(variants.get(index % variants.size()).headers());
    }
    headers.replaceAll((name, value) -> substitute(value, index));
    return headers;
  }

  byte[] body(byte[] base, int index) {
    if (!variants.isEmpty()) {
      Optional<String> body = variants.get(index % variants.size()).body();
      if (body.isPresent()) {
        return substitute(body.get(), index).getBytes(StandardCharsets.UTF_8);
      }
    }
    String text = new String(base, StandardCharsets.UTF_8);
    return text.contains(SEQ) ? substitute(text, index).getBytes(StandardCharsets.UTF_8) : base;
  }

  /** True when the request's header values or body carry {@value #SEQ}. */
  static boolean hasSeq(dev.meshproof.runtime.client.HttpRequestSpec request) {
    return request.headers().values().stream().anyMatch(v -> v.contains(SEQ))
        || new String(request.body(), StandardCharsets.UTF_8).contains(SEQ);
  }

  static String substitute(String text, int index) {
    return text.contains(SEQ) ? text.replace(SEQ, Integer.toString(index)) : text;
  }
}
