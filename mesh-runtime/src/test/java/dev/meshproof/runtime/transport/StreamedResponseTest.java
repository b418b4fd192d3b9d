package dev.meshproof.runtime.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Who releases the body of a response nobody reads. */
class StreamedResponseTest {
  private final EmbeddedChannel upstream = new EmbeddedChannel();
  private final AtomicInteger resets = new AtomicInteger();

  @AfterEach
  void close() {
    upstream.finishAndReleaseAll();
  }

  private StreamedResponse response() {
    return new StreamedResponse(
        new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SERVICE_UNAVAILABLE),
        upstream,
        resets::incrementAndGet);
  }

  private static ByteBuf chunk(String text) {
    return Unpooled.buffer().writeBytes(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void releasingAResponseThatEndedUnreadReleasesItsBodyWithoutAReset() {
    // A retried 503: the whole answer arrived in one read, the router releases it unread.
    StreamedResponse response = response();
    ByteBuf body = chunk("upstream connect error");
    response.content(body);
    response.end(new DefaultHttpHeaders());

    response.release();

    assertThat(body.refCnt()).isZero();
    assertThat(resets).hasValue(0);
  }

  @Test
  void releasingAResponseStillArrivingResetsTheStreamAndDropsWhatComesLater() {
    StreamedResponse response = response();
    ByteBuf first = chunk("first");
    response.content(first);

    response.release();
    ByteBuf late = chunk("late");
    response.content(late);

    assertThat(first.refCnt()).isZero();
    assertThat(late.refCnt()).isZero();
    assertThat(resets).hasValue(1);
  }
}
