package dev.meshproof.runtime.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

class GrpcLocalReplyTest {

  @Test
  void httpStatusesMapToGrpcStatusesAsEnvoysHttpToGrpcStatus() {
    assertThat(GrpcLocalReply.grpcStatusOf(503)).as("UH, UF").isEqualTo(14);
    assertThat(GrpcLocalReply.grpcStatusOf(504)).as("UT").isEqualTo(14);
    assertThat(GrpcLocalReply.grpcStatusOf(502)).isEqualTo(14);
    assertThat(GrpcLocalReply.grpcStatusOf(429)).isEqualTo(14);
    assertThat(GrpcLocalReply.grpcStatusOf(404)).as("NR").isEqualTo(12);
    assertThat(GrpcLocalReply.grpcStatusOf(403)).isEqualTo(7);
    assertThat(GrpcLocalReply.grpcStatusOf(401)).isEqualTo(16);
    assertThat(GrpcLocalReply.grpcStatusOf(400)).isEqualTo(13);
    assertThat(GrpcLocalReply.grpcStatusOf(418)).isEqualTo(2);
    assertThat(GrpcLocalReply.grpcStatusOf(500)).isEqualTo(2);
  }

  @Test
  void aGrpcRequestIsOneWhoseContentTypeIsApplicationGrpcOrAVariant() {
    assertThat(GrpcLocalReply.isGrpcRequest(type("application/grpc"))).isTrue();
    assertThat(GrpcLocalReply.isGrpcRequest(type("application/grpc+proto"))).isTrue();
    assertThat(GrpcLocalReply.isGrpcRequest(type("application/grpc;charset=utf-8"))).isTrue();
    assertThat(GrpcLocalReply.isGrpcRequest(type("application/grpc-web"))).isFalse();
    assertThat(GrpcLocalReply.isGrpcRequest(type("application/json"))).isFalse();
    assertThat(GrpcLocalReply.isGrpcRequest(new DefaultHttpHeaders())).isFalse();
  }

  @Test
  void theMessageIsPercentEncodedOutsidePrintableAscii() {
    assertThat(GrpcLocalReply.percentEncoded("no healthy upstream"))
        .isEqualTo("no healthy upstream");
    assertThat(GrpcLocalReply.percentEncoded("50% é\n")).isEqualTo("50%25 %C3%A9%0A");
  }

  private static HttpHeaders type(String contentType) {
    return new DefaultHttpHeaders().set("content-type", contentType);
  }
}
