package dev.meshproof.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.fake.http.EchoServer;
import dev.meshproof.runtime.Mesh;
import dev.meshproof.runtime.Workload;
import dev.meshproof.runtime.WorkloadSpec;
import dev.meshproof.scenario.load.HttpProtocol;
import dev.meshproof.scenario.load.LoadGenerator;
import dev.meshproof.scenario.load.LoadPhase;
import dev.meshproof.scenario.load.LoadResult;
import dev.meshproof.scenario.load.LoadTarget;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The load generator's smoke test: tiny bounded runs against the echo directly and through one
 * embedded sidecar running as its own process. Only accounting is asserted, never timing.
 */
class LoadGeneratorIT {
  /**
   * Generous on purpose: this test asserts accounting, not speed, and a cold child JVM on a loaded
   * 2-core machine took seconds for its first requests (a 5 s timeout failed 64 of 200 at load 24).
   */
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

  private static final LoadPhase OPEN_200 =
      LoadPhase.openLoop(2_000, Duration.ofMillis(100)).withRequestTimeout(REQUEST_TIMEOUT);
  private static final LoadPhase CLOSED_200 =
      LoadPhase.closedLoop(Duration.ofSeconds(60))
          .withMaxRequests(200)
          .withRequestTimeout(REQUEST_TIMEOUT);

  @Test
  void everyRequestToTheEchoIsAccountedForOverHttp1AndH2c() {
    try (EchoServer echo = EchoServer.builder().service("echo").build().start()) {
      // GRPC needs the gRPC echo; the HTTP echo would answer its calls as plain POSTs.
      for (HttpProtocol protocol : List.of(HttpProtocol.HTTP_1_1, HttpProtocol.H2C)) {
        try (LoadGenerator load =
            LoadGenerator.connect(
                LoadGenerator.options(LoadTarget.of(echo.address(), "echo"))
                    .protocol(protocol)
                    .connections(4)
                    .bodyBytes(1024))) {
          assertAllOk(load.run(OPEN_200));
          assertAllOk(load.run(CLOSED_200));
        }
      }
      assertThat(echo.journal().count()).isEqualTo(800);
    }
  }

  @Test
  void everyRequestThroughOneSidecarProcessIsAccountedFor() {
    long sidecarPid;
    try (EchoServer echo = EchoServer.builder().service("echo").build().start();
        Mesh mesh =
            Mesh.builder()
                // The launcher's defaults, so that a flag this JVM refuses fails here, not in a
                // benchmark run.
                .dataPlane(SidecarProcessDataPlane.withDefaultJvmOptions())
                .eventLoopThreads(1)
                .start()) {
      Workload server =
          mesh.deploy(WorkloadSpec.builder("echo-v1-0").serves("echo", 80, echo.address()).build());
      mesh.awaitSynced();
      sidecarPid = ProxyPids.of(server);
      ProcessUsage before = ProcessUsage.sample(sidecarPid);
      try (LoadGenerator load =
          LoadGenerator.connect(
              LoadGenerator.options(
                      LoadTarget.of(server.sidecar().inboundAddress().orElseThrow(), "echo"))
                  .connections(4))) {
        assertAllOk(load.run(OPEN_200));
        assertAllOk(load.run(CLOSED_200));
      }
      ProcessUsage after = ProcessUsage.sample(sidecarPid);
      assertThat(after.cpuSecondsSince(before)).isNotNegative();
      assertThat(after.rssBytes()).isPositive();
      assertThat(echo.journal().count()).isEqualTo(400);
    }
    assertThat(ProcessHandle.of(sidecarPid).filter(ProcessHandle::isAlive)).isEmpty();
  }

  private static void assertAllOk(LoadResult result) {
    assertThat(result.issued()).as(result.toString()).isEqualTo(200);
    assertThat(result.ok()).as(result.toString()).isEqualTo(200);
    assertThat(result.latencies().getTotalCount()).isEqualTo(200);
    assertThat(result.everyRequestAccountedFor()).isTrue();
  }
}
