package dev.meshproof.bench.load;

/** The HTTP version the load generator speaks to its target. */
public enum HttpProtocol {
  /** HTTP/1.1 with keep-alive, one request at a time per connection (no pipelining). */
  HTTP_1_1("HTTP/1.1"),
  /** Cleartext HTTP/2 with prior knowledge (RFC 9113 section 3.3): many streams per connection. */
  H2C("HTTP/2 (h2c)"),
  /**
   * Unary gRPC calls over h2c ({@code /meshproof.echo.v1.EchoService/Echo}, the body one
   * length-prefixed EchoRequest): a call succeeds on {@code :status} 200 with {@code grpc-status}
   * 0.
   */
  GRPC("gRPC unary (h2c)");

  private final String label;

  HttpProtocol(String label) {
    this.label = label;
  }

  /** How reports name it, e.g. {@code HTTP/1.1}. */
  public String label() {
    return label;
  }

  /** Parses {@code http1}, {@code http/1.1}, {@code h2}, {@code h2c} or {@code http2}. */
  public static HttpProtocol parse(String text) {
    return switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "http1", "http/1.1", "http1.1", "h1" -> HTTP_1_1;
      case "h2", "h2c", "http2", "http/2" -> H2C;
      case "grpc" -> GRPC;
      default ->
          throw new IllegalArgumentException(
              "protocol: " + text + " (expected: http1, h2c or grpc)");
    };
  }
}
