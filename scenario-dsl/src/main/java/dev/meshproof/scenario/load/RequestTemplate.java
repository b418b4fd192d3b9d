package dev.meshproof.scenario.load;

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
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Puts a {@link LoadRequest} on the wire as HTTP/1.1 or HTTP/2 headers, and makes the benchmark's
 * request: {@code POST} to the target path with the destination service in Host / {@code
 * :authority} and a body of fixed size (the echo answers any method). Body bytes are wrapped
 * without copying.
 */
final class RequestTemplate {
  /** Connection-specific headers HTTP/2 forbids (RFC 9113 section 8.2.2); Host is :authority. */
  private static final Set<String> NOT_IN_HTTP2 =
      Set.of(
          "host", "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade");

  private RequestTemplate() {}

  /** The benchmark's request: {@code POST}, octet-stream body of {@code bodyBytes} bytes. */
  static LoadRequest post(LoadTarget target, int bodyBytes) {
    byte[] body = new byte[bodyBytes];
    for (int i = 0; i < bodyBytes; i++) {
      body[i] = (byte) ('a' + i % 26);
    }
    return new LoadRequest(
        "POST",
        target.path(),
        target.authority(),
        Map.of(
            HttpHeaderNames.CONTENT_TYPE.toString(),
            HttpHeaderValues.APPLICATION_OCTET_STREAM.toString()),
        body);
  }

  /** The unary method of the gRPC echo workload. */
  static final String GRPC_ECHO = "/meshproof.echo.v1.EchoService/Echo";

  /**
   * The benchmark's unary gRPC call to the gRPC echo: an EchoRequest whose message has {@code
   * bodyBytes} bytes, framed as gRPC sends it (not compressed, 4-byte length), with {@code
   * content-type: application/grpc} and {@code te: trailers}.
   */
  static LoadRequest grpc(LoadTarget target, int bodyBytes) {
    byte[] filler = new byte[bodyBytes];
    for (int i = 0; i < bodyBytes; i++) {
      filler[i] = (byte) ('a' + i % 26);
    }
    byte[] message =
        dev.meshproof.fake.grpc.v1.EchoRequest.newBuilder()
            .setMessage(new String(filler, java.nio.charset.StandardCharsets.US_ASCII))
            .build()
            .toByteArray();
    byte[] frame =
        java.nio.ByteBuffer.allocate(5 + message.length)
            .put((byte) 0)
            .putInt(message.length)
            .put(message)
            .array();
    return new LoadRequest(
        "POST",
        GRPC_ECHO,
        target.authority(),
        Map.of("content-type", "application/grpc", "te", "trailers"),
        frame);
  }

  static FullHttpRequest http1(LoadRequest load) {
    FullHttpRequest request =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1,
            HttpMethod.valueOf(load.method()),
            load.pathAndQuery(),
            Unpooled.wrappedBuffer(load.body()));
    // Host first, exactly as written when the request carries one (catalog:80 keeps its port).
    request.headers().set(HttpHeaderNames.HOST, load.effectiveAuthority());
    load.headers()
        .forEach(
            (name, value) -> {
              if (!name.equalsIgnoreCase("host")) {
                request.headers().set(name, value);
              }
            });
    request.headers().set(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(load.body().length));
    return request;
  }

  static Http2Headers http2Headers(LoadRequest load) {
    Http2Headers headers =
        new DefaultHttp2Headers()
            .method(load.method())
            .scheme("http")
            .authority(load.effectiveAuthority())
            .path(load.pathAndQuery());
    load.headers()
        .forEach(
            (name, value) -> {
              String lower = name.toLowerCase(Locale.ROOT);
              if (!NOT_IN_HTTP2.contains(lower)) {
                headers.set(lower, value);
              }
            });
    if (load.body().length > 0) {
      headers.set(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(load.body().length));
    }
    return headers;
  }

  static ByteBuf body(LoadRequest load) {
    return Unpooled.wrappedBuffer(load.body());
  }
}
