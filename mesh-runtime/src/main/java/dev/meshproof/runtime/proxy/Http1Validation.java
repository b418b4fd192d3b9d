package dev.meshproof.runtime.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What Envoy's HTTP/1.1 codec refuses, and how: the downstream half of request smuggling defence
 * and of Envoy's header limits. Every rejection closes the connection after the reply, so nothing
 * queued behind a request of ambiguous length is ever read as a new request.
 *
 * <p>The statuses were measured against Envoy 1.40 with Istio's sidecar settings (Http1StrictnessIT
 * runs the same table on both data planes): Envoy's defaults of {@code max_request_headers_kb: 60}
 * and {@code max_headers_count: 100}, HTTP/1.0 refused with 426 since Istio leaves {@code
 * accept_http_10} off, and {@code allow_chunked_length} off.
 */
final class Http1Validation {
  /** Envoy's {@code max_request_headers_kb} default. */
  static final int MAX_HEADERS_BYTES = 60 * 1024;

  /** Envoy's {@code max_headers_count} default. */
  static final int MAX_HEADERS_COUNT = 100;

  /** A request line with a method and a target but no version: HTTP/0.9. */
  private static final Pattern HTTP_09_REQUEST_LINE = Pattern.compile("^[A-Z]+ [!-~]+$");

  private static final Pattern METHOD = Pattern.compile("[A-Z]+");

  private Http1Validation() {}

  /** The codec settings that carry Envoy's limits; the rest is checked in {@link #check}. */
  static HttpDecoderConfig decoderConfig() {
    return new HttpDecoderConfig()
        .setMaxInitialLineLength(MAX_HEADERS_BYTES)
        .setMaxHeaderSize(MAX_HEADERS_BYTES)
        .setAllowDuplicateContentLengths(false)
        .setValidateHeaders(true)
        // Envoy accepts bare LF line endings.
        .setStrictLineParsing(false)
        .setUseRfc9112TransferEncoding(true);
  }

  /** A refused request: the status Envoy answers and its local-reply body. */
  record Rejection(int status, String body, String detail) {}

  /**
   * Checks one decoded request. {@code lastRead} gives the most recent bytes read from the
   * connection, which tell an HTTP/0.9 request line ({@code GET /}) from plain garbage, the two
   * failing alike in the decoder (asked for only then).
   */
  static Optional<Rejection> check(
      HttpRequest request, java.util.function.Supplier<Optional<ByteBuf>> lastRead) {
    // Envoy implements only chunked: any other coding is 501, even where the decoder failed on it.
    List<String> transferEncodings = request.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING);
    if (!transferEncodings.isEmpty()
        && !(transferEncodings.size() == 1
            && transferEncodings.get(0).trim().equalsIgnoreCase("chunked"))) {
      return Optional.of(
          new Rejection(
              501, "Not Implemented", "unsupported transfer encoding " + transferEncodings));
    }
    DecoderResult result = request.decoderResult();
    if (result.isFailure()) {
      Throwable cause = result.cause();
      if (cause instanceof TooLongHttpHeaderException
          || cause instanceof TooLongHttpLineException) {
        return tooLarge(cause.getMessage());
      }
      if (String.valueOf(cause.getMessage()).contains("HTTP/0.9")
          && lastRead.get().map(Http1Validation::hasHttp09RequestLine).orElse(false)) {
        return upgradeRequired("HTTP/0.9 request");
      }
      return badRequest(String.valueOf(cause.getMessage()));
    }
    if (!request.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
      return upgradeRequired(request.protocolVersion() + " request");
    }
    if (!METHOD.matcher(request.method().name()).matches()) {
      return badRequest("invalid method " + request.method().name());
    }
    if (request.headers().size() > MAX_HEADERS_COUNT) {
      return tooLarge(request.headers().size() + " headers (limit " + MAX_HEADERS_COUNT + ")");
    }
    if (!request.headers().contains(HttpHeaderNames.HOST)) {
      // Envoy answers a missing Host with an empty body.
      return Optional.of(new Rejection(400, "", "missing host header"));
    }
    return Optional.empty();
  }

  private static boolean hasHttp09RequestLine(ByteBuf bytes) {
    String text = bytes.toString(StandardCharsets.ISO_8859_1);
    // A request line starts the data or follows the blank line that ends a request head.
    boolean atRequestStart = true;
    for (String line : text.split("\r?\n", -1)) {
      if (atRequestStart && HTTP_09_REQUEST_LINE.matcher(line).matches()) {
        return true;
      }
      atRequestStart = line.isEmpty();
    }
    return false;
  }

  private static Optional<Rejection> badRequest(String detail) {
    return Optional.of(new Rejection(400, "Bad Request", detail));
  }

  private static Optional<Rejection> tooLarge(String detail) {
    return Optional.of(new Rejection(431, "Request Header Fields Too Large", detail));
  }

  private static Optional<Rejection> upgradeRequired(String detail) {
    return Optional.of(new Rejection(426, "Upgrade Required", detail));
  }
}
