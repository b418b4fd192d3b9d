package dev.meshproof.scenario;

import static dev.meshproof.scenario.expect.Expectations.successRate;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meshproof.scenario.result.ScenarioResult;
import dev.meshproof.scenario.result.Status;
import dev.meshproof.scenario.targets.Targets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;

/**
 * Many scenario runs in one JVM (as the conformance suite and the CLI do) leave nothing open: every
 * run closes its sidecars' listeners and the connections they accepted, its app clients and
 * servers, so neither the process's file descriptors nor its CLOSE-WAIT sockets grow with the
 * number of runs. Each run also sends its first requests right after the sync and must see every
 * one of them answered.
 */
class RepeatedRunsLeakIT {
  private static final int RUNS = 100;

  /**
   * Descriptors created lazily and kept by the JDK or Netty after the first runs (selectors,
   * class-path jars, the global event executor), independent of the number of runs.
   */
  private static final int SLACK = 8;

  private static final Path FDS = Path.of("/proc/self/fd");

  private static Scenario scenario() {
    return Scenario.named("repeated canary")
        .service("catalog", s -> s.version("v1").version("v2"))
        .client("client")
        .istio(
            "catalog.yaml",
            """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: catalog}
            spec:
              host: catalog
              subsets:
              - {name: v1, labels: {version: v1}}
              - {name: v2, labels: {version: v2}}
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: catalog}
            spec:
              hosts: [catalog]
              http:
              - route:
                - destination: {host: catalog, subset: v1}
                  weight: 50
                - destination: {host: catalog, subset: v2}
                  weight: 50
            """)
        .traffic(t -> t.from("client").get("http://catalog/").requests(20).concurrency(4))
        .expect(successRate().atLeast(0.5))
        .seed(5)
        .build();
  }

  @Test
  void hundredEmbeddedRunsLeaveNoDescriptorsOrCloseWaitSockets(TestReporter reporter) {
    assumeTrue(Files.isDirectory(FDS), "needs /proc/self/fd (Linux)");
    Scenario scenario = scenario();
    // Warm-up: loads classes and lets the JDK and Netty create their lazy, shared resources.
    assertThat(ScenarioRunner.run(scenario, Targets.embedded()).status()).isEqualTo(Status.PASSED);
    int descriptorsBefore = openDescriptors();
    int closeWaitBefore = closeWaitSockets();

    List<String> failedRuns = new ArrayList<>();
    for (int run = 0; run < RUNS; run++) {
      ScenarioResult result = ScenarioRunner.run(scenario, Targets.embedded());
      if (result.status() != Status.PASSED || result.traffic().responses() != 20) {
        failedRuns.add("run " + run + ": " + result.failureSummary());
      }
    }

    assertThat(failedRuns).isEmpty();
    int descriptorsAfter = openDescriptors();
    int closeWaitAfter = closeWaitSockets();
    String counts =
        "after %d runs: %d descriptors (before: %d), %d CLOSE-WAIT sockets (before: %d)"
            .formatted(RUNS, descriptorsAfter, descriptorsBefore, closeWaitAfter, closeWaitBefore);
    reporter.publishEntry("descriptors", counts);
    assertThat(closeWaitAfter).as(counts).isLessThanOrEqualTo(closeWaitBefore);
    assertThat(descriptorsAfter).as(counts).isLessThanOrEqualTo(descriptorsBefore + SLACK);
  }

  private static int openDescriptors() {
    return socketInodesAndCount().count;
  }

  /** This process's sockets in TCP state CLOSE_WAIT (08), from /proc/net/tcp{,6}. */
  private static int closeWaitSockets() {
    Set<String> own = socketInodesAndCount().socketInodes;
    int closeWait = 0;
    for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
      Path path = Path.of(table);
      if (!Files.exists(path)) {
        continue;
      }
      try {
        List<String> lines = Files.readAllLines(path);
        for (String line : lines.subList(1, lines.size())) {
          String[] fields = line.trim().split("\\s+");
          // sl local rem st tx:rx tr:when retrnsmt uid timeout inode
          if (fields.length > 9 && fields[3].equals("08") && own.contains(fields[9])) {
            closeWait++;
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return closeWait;
  }

  private record Descriptors(int count, Set<String> socketInodes) {}

  private static Descriptors socketInodesAndCount() {
    int count = 0;
    Set<String> sockets = new HashSet<>();
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(FDS)) {
      for (Path fd : fds) {
        count++;
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) {
            sockets.add(target.substring("socket:[".length(), target.length() - 1));
          }
        } catch (IOException closedMeanwhile) {
          // The descriptor of the directory stream itself, or one closed while listing.
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Descriptors(count, sockets);
  }
}
