package dev.meshproof.runtime.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * How Envoy answers a gRPC request locally ({@code source/common/http/utility.cc} {@code
 * Utility::sendLocalReply} with {@code is_grpc}): HTTP 200, trailers-only, the gRPC status mapped
 * from the HTTP status by {@code Grpc::Utility::httpToGrpcStatus} unless one is given (a fault's
 * {@code grpc_status}), the reply text as a percent-encoded {@code grpc-message}. So no healthy
 * upstream (503 UH) reads UNAVAILABLE (14) and no route (404 NR) UNIMPLEMENTED (12).
 */
final class GrpcLocalReply {
  private GrpcLocalReply() {}

  /**
   * Envoy's {@code Grpc::Common::isGrpcRequestHeaders}: a content type of {@code application/grpc},
   * or one starting with {@code application/grpc+} or {@code application/grpc;}.
   */
  static boolean isGrpcRequest(HttpHeaders headers) {
    String type = headers.get(HttpHeaderNames.CONTENT_TYPE, "").toLowerCase(Locale.ROOT);
    return type.equals("application/grpc")
        || type.startsWith("application/grpc+")
        || type.startsWith("application/grpc;");
  }

  /** {@code Grpc::Utility::httpToGrpcStatus}. */
  static int grpcStatusOf(int httpStatus) {
    return switch (httpStatus) {
      case 400 -> 13; // INTERNAL
      case 401 -> 16; // UNAUTHENTICATED
      case 403 -> 7; // PERMISSION_DENIED
      case 404 -> 12; // UNIMPLEMENTED
      case 429, 502, 503, 504 -> 14; // UNAVAILABLE
      default -> 2; // UNKNOWN
    };
  }

  /**
   * gRPC's percent-encoding of {@code grpc-message} ({@code Grpc::Utility} uses Envoy's {@code
   * PercentEncoding::encode}): bytes outside printable ASCII and {@code %} itself as {@code %XX}.
   */
  static String percentEncoded(String message) {
    StringBuilder out = new StringBuilder();
    for (byte b : message.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c < 0x20 || c > 0x7e || c == '%') {
        out.append('%').append(String.format(Locale.ROOT, "%02X", c));
      } else {
        out.append((char) c);
      }
    }
    return out.toString();
  }
}
