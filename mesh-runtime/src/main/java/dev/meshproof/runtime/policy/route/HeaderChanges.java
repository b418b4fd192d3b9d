package dev.meshproof.runtime.policy.route;

import java.util.List;
import java.util.Locale;

/**
 * One level's header changes (Envoy's {@code request_headers_to_add/remove} or {@code
 * response_headers_to_add/remove} of a route or weighted cluster; Istio's {@code headers.request}
 * or {@code headers.response} {@code set}, {@code add}, {@code remove}), applied as Envoy's {@code
 * HeaderParser::evaluateHeaders} does: removals first, then each addition in order by its {@code
 * append_action}; an addition with an empty value is skipped (Envoy's {@code keep_empty_value}
 * false).
 *
 * @see <a
 *     href="https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_conn_man/headers#custom-request-response-headers">Envoy
 *     custom request/response headers</a>
 */
public record HeaderChanges(List<HeaderAddition> add, List<String> remove) {

  /** No changes. */
  public static final HeaderChanges NONE = new HeaderChanges(List.of(), List.of());

  public HeaderChanges {
    add = List.copyOf(add);
    remove = remove.stream().map(n -> n.toLowerCase(Locale.ROOT)).toList();
  }

  public boolean isEmpty() {
    return add.isEmpty() && remove.isEmpty();
  }

  /** Envoy's {@code HeaderValueOption.HeaderAppendAction}. */
  public enum AppendAction {
    APPEND_IF_EXISTS_OR_ADD,
    ADD_IF_ABSENT,
    OVERWRITE_IF_EXISTS_OR_ADD,
    OVERWRITE_IF_EXISTS
  }

  /** One {@code HeaderValueOption}. */
  public record HeaderAddition(String name, String value, AppendAction action) {
    public HeaderAddition {
      name = name.toLowerCase(Locale.ROOT);
    }
  }

  /** The header map the changes edit (a request's or a response's), names case-insensitive. */
  public interface HeaderEditor {
    boolean contains(String name);

    void add(String name, String value);

    void set(String name, String value);

    void remove(String name);
  }

  /** Applies the changes in Envoy's order. */
  public void applyTo(HeaderEditor headers) {
    remove.forEach(headers::remove);
    for (HeaderAddition addition : add) {
      if (addition.value().isEmpty()) {
        continue;
      }
      switch (addition.action()) {
        case APPEND_IF_EXISTS_OR_ADD -> headers.add(addition.name(), addition.value());
        case ADD_IF_ABSENT -> {
          if (!headers.contains(addition.name())) {
            headers.add(addition.name(), addition.value());
          }
        }
        case OVERWRITE_IF_EXISTS_OR_ADD -> headers.set(addition.name(), addition.value());
        case OVERWRITE_IF_EXISTS -> {
          if (headers.contains(addition.name())) {
            headers.set(addition.name(), addition.value());
          }
        }
      }
    }
  }
}
