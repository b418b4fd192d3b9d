package dev.meshproof.fake.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Duration;
import dev.meshproof.fake.behavior.Behavior;
import dev.meshproof.fake.grpc.v1.EchoRequest;
import dev.meshproof.fake.grpc.v1.EchoResponse;
import dev.meshproof.fake.grpc.v1.EchoServiceGrpc;
import dev.meshproof.fake.journal.JournalEntry;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GrpcEchoServerIT {
  private GrpcEchoServer server;
  private ManagedChannel channel;
  private EchoServiceGrpc.EchoServiceBlockingStub stub;

  @BeforeEach
  void start() {
    server = GrpcEchoServer.builder().service("ratings").version("v2").build().start();
    channel = NettyChannelBuilder.forAddress(server.address()).usePlaintext().build();
    stub = EchoServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.close();
  }

  private static EchoServiceGrpc.EchoServiceBlockingStub withMetadata(
      EchoServiceGrpc.EchoServiceBlockingStub s, String key, String value) {
    Metadata md = new Metadata();
    md.put(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER), value);
    return s.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
  }

  @Test
  void unaryEchoCarriesIdentityAuthorityAndAttempt() {
    EchoServiceGrpc.EchoServiceBlockingStub s = withMetadata(stub, "x-request-id", "r-1");
    s.echo(EchoRequest.newBuilder().setMessage("hi").build());
    EchoResponse res = s.echo(EchoRequest.newBuilder().setMessage("hi").build());

    assertThat(res.getMessage()).isEqualTo("hi");
    assertThat(res.getService()).isEqualTo("ratings");
    assertThat(res.getVersion()).isEqualTo("v2");
    assertThat(res.getInstance()).isEqualTo("ratings-v2-0");
    assertThat(res.getAuthority()).isEqualTo("127.0.0.1:" + server.port());
    assertThat(res.getMetadataMap()).containsEntry("x-request-id", "r-1");
    assertThat(res.getAttempt()).isEqualTo(2);
    JournalEntry e = server.journal().entries().get(1);
    assertThat(e.protocol()).isEqualTo("gRPC");
    assertThat(e.path()).isEqualTo("/meshproof.echo.v1.EchoService/Echo");
    assertThat(e.status()).isZero();
  }

  @Test
  void statusFieldAndMetadataSetTheGrpcStatus() {
    assertThatThrownBy(() -> stub.echo(EchoRequest.newBuilder().setStatusCode(14).build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    assertThatThrownBy(
            () ->
                withMetadata(stub, "x-echo-grpc-status", "7")
                    .echo(EchoRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
    assertThatThrownBy(
            () ->
                withMetadata(stub, "x-echo-grpc-status", "x")
                    .echo(EchoRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription()).startsWith("x-echo-grpc-status:");
            });
  }

  @Test
  void delayBeyondTheDeadlineExceedsIt() {
    EchoRequest slow =
        EchoRequest.newBuilder().setDelay(Duration.newBuilder().setSeconds(5)).build();
    assertThatThrownBy(() -> stub.withDeadlineAfter(200, TimeUnit.MILLISECONDS).echo(slow))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
  }

  @Test
  void behaviourErrorRateMapsHttpStatusesToGrpcCodes() {
    server.behavior().set(Behavior.builder().errors(1.0, "503").build());
    assertThatThrownBy(() -> stub.echo(EchoRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
  }

  @Test
  void streamSendsCountMessagesInOrder() {
    Iterator<EchoResponse> it =
        stub.echoStream(
            EchoRequest.newBuilder()
                .setCount(3)
                .setInterval(Duration.newBuilder().setNanos(10_000_000))
                .build());
    List<Integer> indexes = new java.util.ArrayList<>();
    it.forEachRemaining(r -> indexes.add(r.getIndex()));
    assertThat(indexes).containsExactly(0, 1, 2);
  }

  @Test
  void healthFollowsSetServing() {
    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
    HealthCheckRequest all = HealthCheckRequest.getDefaultInstance();
    assertThat(health.check(all).getStatus()).isEqualTo(ServingStatus.SERVING);
    server.setServing(false);
    assertThat(
            health
                .check(
                    HealthCheckRequest.newBuilder()
                        .setService(EchoServiceGrpc.SERVICE_NAME)
                        .build())
                .getStatus())
        .isEqualTo(ServingStatus.NOT_SERVING);
  }
}
