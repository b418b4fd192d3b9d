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
  private final LoadTarget target;
  private final byte[] body;
  private final String contentLength;

  RequestTemplate(LoadTarget target, int bodyBytes) {
    this.target = target;
    this.body = new byte[bodyBytes];
    for (int i = 0; i < bodyBytes; i++) {
      body[i] = (byte) ('a' + i % 26);
    }
    this.contentLength = Integer.toString(bodyBytes);
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
    return new DefaultHttp2Headers()
        .method("POST")
        .scheme("http")
        .authority(target.authority())
        .path(target.path())
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
