package dev.meshproof.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;

/**
 * The request every connection sends: {@code POST} to the target path with the destination service
 * in Host / {@code :authority} and a body of fixed size (the echo answers any method). The body
 * bytes are shared; each request wraps them without copying.
 */
final class RequestTemplate {
  /** The unary method of the gRPC echo workload. */
  static final String GRPC_ECHO = "/meshproof.echo.v1.EchoService/Echo";

  private final LoadTarget target;
  private final byte[] body;
  private final String contentLength;
  private final boolean grpc;

  RequestTemplate(LoadTarget target, int bodyBytes) {
    this(target, filler(bodyBytes), false);
  }

  private RequestTemplate(LoadTarget target, byte[] body, boolean grpc) {
    this.target = target;
    this.body = body;
    this.grpc = grpc;
    this.contentLength = Integer.toString(body.length);
  }

  /**
   * Unary gRPC calls to the gRPC echo: an EchoRequest whose message has {@code bodyBytes} bytes,
   * framed as gRPC sends it (not compressed, 4-byte length).
   */
  static RequestTemplate grpc(LoadTarget target, int bodyBytes) {
    byte[] message =
        dev.meshproof.fake.grpc.v1.EchoRequest.newBuilder()
            .setMessage(new String(filler(bodyBytes), java.nio.charset.StandardCharsets.US_ASCII))
            .build()
            .toByteArray();
    byte[] frame =
        java.nio.ByteBuffer.allocate(5 + message.length)
            .put((byte) 0)
            .putInt(message.length)
            .put(message)
            .array();
    return new RequestTemplate(
        new LoadTarget(target.address(), target.authority(), GRPC_ECHO), frame, true);
  }

  private static byte[] filler(int bytes) {
    byte[] body = new byte[bytes];
    for (int i = 0; i < bytes; i++) {
      body[i] = (byte) ('a' + i % 26);
    }
    return body;
  }

  /** Whether a call's success also needs {@code grpc-status: 0}. */
  boolean grpc() {
    return grpc;
  }

  FullHttpRequest http1() {
    FullHttpRequest request =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1, HttpMethod.POST, target.path(), Unpooled.wrappedBuffer(body));
    request
        .headers()
        .set(HttpHeaderNames.HOST, target.authority())
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM)
        .set(HttpHeaderNames.CONTENT_LENGTH, contentLength);
    return request;
  }

  Http2Headers http2Headers() {
    Http2Headers headers =
        new DefaultHttp2Headers()
            .method("POST")
            .scheme("http")
            .authority(target.authority())
            .path(target.path());
    if (grpc) {
      return headers.set(HttpHeaderNames.CONTENT_TYPE, "application/grpc").set("te", "trailers");
    }
    return headers
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM)
        .set(HttpHeaderNames.CONTENT_LENGTH, contentLength);
  }

  ByteBuf body() {
    return Unpooled.wrappedBuffer(body);
  }

  boolean hasBody() {
    return body.length > 0;
  }
}
