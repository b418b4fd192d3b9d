package dev.meshproof.runtime.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.runtime.policy.route.RequestHeaders;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The request headers the filter chain and the router match on, as the codec adapter builds them.
 */
class HttpProxyHandlerHeadersTest {
  @Test
  void oneHeaderSentInTwoSpellingsKeepsBothValuesInOrder() {
    FullHttpRequest request =
        new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/a?b=c");
    request.headers().add("X-Version", "v1");
    request.headers().add("x-version", "v2");
    request.headers().add("End-User", "jason");
    try {
      RequestHeaders headers = HttpProxyHandler.toRequestHeaders(request, "reviews");

      assertThat(headers.headers()).containsEntry("x-version", List.of("v1", "v2"));
      assertThat(headers.first("end-user")).contains("jason");
      assertThat(headers.method()).isEqualTo("GET");
      assertThat(headers.path()).isEqualTo("/a?b=c");
      assertThat(headers.authority()).isEqualTo("reviews");
    } finally {
      request.release();
    }
  }
}
