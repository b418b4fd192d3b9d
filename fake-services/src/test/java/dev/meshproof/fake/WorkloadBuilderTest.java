package dev.meshproof.fake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshproof.fake.behavior.Behavior;
import dev.meshproof.fake.grpc.GrpcEchoServer;
import dev.meshproof.fake.http.EchoServer;
import dev.meshproof.fake.journal.RequestJournal;
import dev.meshproof.fake.tcp.TcpEchoServer;
import dev.meshproof.fake.wiremock.WireMockWorkload;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class WorkloadBuilderTest {

  /** The smallest concrete builder, to reach the shared part without a protocol. */
  private static final class TestBuilder extends EchoWorkloadBuilder<TestBuilder> {
    TestBuilder() {
      super("reviews");
    }
  }

  /** Every workload kind's builder, to show the shared setters behave the same in each. */
  private static final List<Supplier<? extends WorkloadBuilder<?>>> EVERY_KIND =
      List.of(
          EchoServer::builder,
          GrpcEchoServer::builder,
          TcpEchoServer::builder,
          WireMockWorkload::builder,
          TestBuilder::new);

  @Test
  void defaultsAreLoopbackEphemeralPortAndDerivedInstance() {
    WorkloadOptions o = new TestBuilder().service("reviews").workloadOptions();

    assertThat(o.identity())
        .isEqualTo(new WorkloadIdentity("reviews", "v1", "reviews-v1-0", "default"));
    assertThat(o.host()).isEqualTo("127.0.0.1");
    assertThat(o.port()).isZero();
    assertThat(o.journalCapacity()).isEqualTo(RequestJournal.DEFAULT_CAPACITY);
    assertThat(o.clock()).isEqualTo(Clock.systemUTC());
  }

  @Test
  void settersAreKeptAndChainWithTheConcreteBuilderType() {
    Clock clock = Clock.fixed(Instant.EPOCH, ZoneOffset.UTC);
    WorkloadOptions o =
        new TestBuilder()
            .service("ratings")
            .version("v2")
            .instance("ratings-v2-7")
            .namespace("bookinfo")
            .host("0.0.0.0")
            .port(9080)
            .clock(clock)
            .journalCapacity(3)
            .workloadOptions();

    assertThat(o)
        .isEqualTo(
            new WorkloadOptions(
                new WorkloadIdentity("ratings", "v2", "ratings-v2-7", "bookinfo"),
                "0.0.0.0",
                9080,
                clock,
                3));
  }

  @Test
  void theSeedDefaultsToTheInstanceNamesHashSoRunsReplay() {
    assertThat(new TestBuilder().service("reviews").echoOptions().seed())
        .isEqualTo("reviews-v1-0".hashCode());
    assertThat(new TestBuilder().service("reviews").seed(42).echoOptions().seed()).isEqualTo(42);
  }

  @Test
  void withoutASharedGroupTheWorkloadOwnsOne() {
    EchoWorkloadOptions owned = new TestBuilder().service("reviews").echoOptions();
    assertThat(owned.sharedEventLoopGroup()).isEmpty();
    assertThat(owned.behavior()).isEqualTo(Behavior.defaults());

    EventLoopGroup shared = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      assertThat(
              new TestBuilder()
                  .service("reviews")
                  .eventLoopGroup(shared)
                  .echoOptions()
                  .sharedEventLoopGroup())
          .containsSame(shared);

      WorkloadEventLoop sharedLoop = WorkloadEventLoop.sharedOrOwned(Optional.of(shared), "t-");
      assertThat(sharedLoop.owned()).isFalse();
      sharedLoop.close();
      assertThat(shared.isShuttingDown()).isFalse();
    } finally {
      shared.shutdownGracefully();
    }

    WorkloadEventLoop ownedLoop = WorkloadEventLoop.sharedOrOwned(Optional.empty(), "t-");
    assertThat(ownedLoop.owned()).isTrue();
    ownedLoop.close();
    assertThat(ownedLoop.group().isShuttingDown()).isTrue();
  }

  @Test
  void everyKindRejectsBadBindAndJournalSettingsNamingTheField() {
    for (Supplier<? extends WorkloadBuilder<?>> kind : EVERY_KIND) {
      String name = kind.get().getClass().getName();
      assertThatThrownBy(() -> kind.get().port(-1))
          .as(name)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("port: -1 (expected: 0-65535)");
      assertThatThrownBy(() -> kind.get().port(65536))
          .as(name)
          .hasMessage("port: 65536 (expected: 0-65535)");
      assertThatThrownBy(() -> kind.get().host(" "))
          .as(name)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("host: \" \" (expected: an IP or name)");
      assertThatThrownBy(() -> kind.get().host(null))
          .as(name)
          .hasMessage("host: \"null\" (expected: an IP or name)");
      assertThatThrownBy(() -> kind.get().journalCapacity(0))
          .as(name)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("journalCapacity: 0 (expected: >= 1)");
      assertThatThrownBy(() -> kind.get().clock(null))
          .as(name)
          .isInstanceOf(NullPointerException.class)
          .hasMessage("clock");
      assertThat(kind.get().port(0).port(65535).host("localhost").journalCapacity(1)).isNotNull();
    }
  }

  @Test
  void theEchoKindsRejectANullGroupOrBehavior() {
    assertThatThrownBy(() -> new TestBuilder().eventLoopGroup(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("eventLoopGroup");
    assertThatThrownBy(() -> new TestBuilder().behavior(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("behavior");
  }

  @Test
  void aMissingServiceIsReportedWithAnExampleForTheKind() {
    assertThatThrownBy(() -> new TestBuilder().workloadOptions())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("service: null (expected: the app label, e.g. reviews)");
    assertThatThrownBy(() -> TcpEchoServer.builder().build())
        .hasMessage("service: null (expected: the app label, e.g. tcp-echo)");
    assertThatThrownBy(() -> WireMockWorkload.builder().build())
        .hasMessage("service: null (expected: the app label, e.g. payments)");
  }

  @Test
  void namesAreCheckedByTheIdentityWhenBuilt() {
    TestBuilder b = new TestBuilder().service("has space");
    assertThatThrownBy(b::workloadOptions)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("service: \"has space\" (expected: a non-blank name without whitespace)");
    assertThatThrownBy(() -> new TestBuilder().service("a").namespace("").workloadOptions())
        .hasMessageStartingWith("namespace: \"\"");
  }
}
