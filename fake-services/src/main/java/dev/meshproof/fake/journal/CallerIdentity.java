package dev.meshproof.fake.journal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads the caller's identity from Envoy's {@code X-Forwarded-Client-Cert} header (the {@code URI=}
 * field, a SPIFFE ID under Istio mTLS). See
 * https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_conn_man/headers#x-forwarded-client-cert
 */
public final class CallerIdentity {
  private CallerIdentity() {}

  /**
   * The {@code URI} of the last element: Envoy appends the peer that connected to it, so the last
   * element is the immediate caller.
   */
  public static Optional<String> fromXfcc(String header) {
    if (header == null || header.isBlank()) {
      return Optional.empty();
    }
    List<String> elements = split(header, ',');
    for (String pair : split(elements.get(elements.size() - 1), ';')) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).trim().equalsIgnoreCase("URI")) {
        String v = pair.substring(eq + 1).trim();
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
          v = v.substring(1, v.length() - 1);
        }
        return v.isEmpty() ? Optional.empty() : Optional.of(v);
      }
    }
    return Optional.empty();
  }

  // Splits on sep outside double quotes (Subject="CN=a,O=b" contains commas).
  private static List<String> split(String s, char sep) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && quoted && i + 1 < s.length()) {
        cur.append(c).append(s.charAt(++i));
        continue;
      }
      if (c == '"') {
        quoted = !quoted;
      }
      if (c == sep && !quoted) {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    out.add(cur.toString());
    return out;
  }
}
