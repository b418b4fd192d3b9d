package dev.meshproof.scenario.traffic;

/**
 * The protocol a client app speaks to its sidecar. Each value names what goes on the wire between
 * the app and its sidecar; what the sidecar speaks upstream is the mesh's choice (Istio's protocol
 * selection), not the app's.
 */
public enum TrafficProtocol {
  /** HTTP/1.1 with keep-alive: one request at a time per connection. */
  HTTP1,
  /**
   * Cleartext HTTP/2 with prior knowledge (h2c, RFC 9113 section 3.3), as a gRPC or HTTP/2 client
   * inside a pod speaks to an Envoy outbound listener ({@code codec_type: AUTO}).
   */
  HTTP2;

  /** The values a scenario file accepts, in order. */
  public static java.util.List<String> names() {
    return java.util.Arrays.stream(values()).map(Enum::name).toList();
  }
}
