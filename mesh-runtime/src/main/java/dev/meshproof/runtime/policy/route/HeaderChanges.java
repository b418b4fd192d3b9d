package dev.meshproof.runtime.policy.route;

import java.util.List;
import java.util.Map;

/**
 * Header changes a route applies (Envoy's {@code request_headers_to_add/remove} and {@code
 * response_headers_to_add/remove}; Istio's {@code headers.request/response set, add, remove}).
 */
public record HeaderChanges(
    Map<String, String> set, Map<String, String> append, List<String> remove) {

  /** No changes. */
  public static final HeaderChanges NONE = new HeaderChanges(Map.of(), Map.of(), List.of());

  public HeaderChanges {
    set = Map.copyOf(set);
    append = Map.copyOf(append);
    remove = List.copyOf(remove);
  }

  public boolean isEmpty() {
    return set.isEmpty() && append.isEmpty() && remove.isEmpty();
  }
}
