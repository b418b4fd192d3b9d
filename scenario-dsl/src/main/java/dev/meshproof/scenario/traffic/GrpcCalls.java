package dev.meshproof.scenario.traffic;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.meshproof.fake.grpc.v1.EchoRequest;
import dev.meshproof.runtime.config.GrpcStatusNames;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.regex.Pattern;

/**
 * gRPC calls as traffic sends them: a POST of {@code /<package>.<Service>/<Method>} over HTTP/2
 * with {@code content-type: application/grpc} and {@code te: trailers}, the request message as one
 * length-prefixed, uncompressed frame (the gRPC over HTTP/2 wire format, PROTOCOL-HTTP2.md). The
 * message is a {@code meshproof.echo.v1.EchoRequest} written as protobuf JSON in the traffic's
 * {@code body} (e.g. {@code {"message": "hi", "count": 3}} for three stream answers), which the
 * gRPC echo workload answers; the call's outcome is its {@code grpc-status}.
 */
public final class GrpcCalls {
  /** {@code /package.Service/Method}, as gRPC paths are written. */
  private static final Pattern METHOD_PATH = Pattern.compile("/[A-Za-z0-9_.]+/[A-Za-z0-9_]+");

  /** The gRPC status names in code order (google.rpc.Code, 0..16): the control plane's list. */
  public static final List<String> STATUS_NAMES = GrpcStatusNames.NAMES;

  private GrpcCalls() {}

  /**
   * Checks that {@code path} names a gRPC method, {@code /package.Service/Method}.
   *
   * @throws IllegalArgumentException naming the expected form
   */
  static void checkMethodPath(String path) {
    if (path == null || !METHOD_PATH.matcher(path).matches()) {
      throw new IllegalArgumentException(
          "url path: "
              + path
              + " (expected for GRPC: /<package>.<Service>/<Method>, e.g."
              + " /meshproof.echo.v1.EchoService/Echo)");
    }
  }

  /**
   * The request frame of an EchoRequest written as protobuf JSON ({@code ""}: an empty message).
   *
   * @throws IllegalArgumentException when the JSON is not an EchoRequest, with the parser's reason
   */
  static byte[] echoRequestFrame(String json) {
    EchoRequest.Builder request = EchoRequest.newBuilder();
    if (!json.isBlank()) {
      try {
        JsonFormat.parser().merge(json, request);
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalArgumentException(
            "body: "
                + e.getMessage()
                + " (expected for GRPC: a meshproof.echo.v1.EchoRequest as JSON, fields message,"
                + " statusCode, statusMessage, delay, count, interval)");
      }
    }
    byte[] message = request.build().toByteArray();
    return ByteBuffer.allocate(5 + message.length)
        .put((byte) 0) // not compressed
        .putInt(message.length)
        .put(message)
        .array();
  }

  /** Whether a traffic request is a gRPC call (its content type says so). */
  public static boolean isGrpc(dev.meshproof.runtime.client.HttpRequestSpec request) {
    return "application/grpc".equals(request.headers().get("content-type"));
  }

  /** The EchoRequest of a request frame, as compact protobuf JSON ({@code ""} when empty). */
  public static String echoRequestJson(byte[] frame) {
    try {
      EchoRequest request =
          EchoRequest.parseFrom(java.util.Arrays.copyOfRange(frame, 5, frame.length));
      return request.equals(EchoRequest.getDefaultInstance())
          ? ""
          : JsonFormat.printer().omittingInsignificantWhitespace().print(request);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(
          "a gRPC traffic frame no longer parses: " + e.getMessage(), e);
    }
  }

  /** The code of a gRPC status name ({@code UNAVAILABLE} is 14). */
  public static int code(String name) {
    return GrpcStatusNames.code(name);
  }

  /** The name of a gRPC status code, or the number for a code outside 0..16. */
  public static String name(int code) {
    return code >= 0 && code < STATUS_NAMES.size() ? STATUS_NAMES.get(code) : String.valueOf(code);
  }
}
