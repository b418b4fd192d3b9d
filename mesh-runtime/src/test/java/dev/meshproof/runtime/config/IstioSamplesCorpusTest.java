package dev.meshproof.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every file of Istio's {@code samples/} (Bookinfo, helloworld, httpbin, tcp-echo, curl, sleep,
 * grpc-echo: Istio resources and the Kubernetes manifests beside them), as users apply them. Each
 * must load whole, or be rejected only for kinds or fields Meshproof does not implement yet,
 * located to the line: a valid field reported as unknown, or an unknown kind, is a parser bug.
 */
class IstioSamplesCorpusTest {

  static Stream<Path> samples() throws IOException, URISyntaxException {
    Path dir = Path.of(IstioSamplesCorpusTest.class.getResource("/istio-samples").toURI());
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }

  @ParameterizedTest
  @MethodSource("samples")
  void everySampleLoadsOrIsRejectedOnlyAsNotYetSupported(Path sample) {
    try {
      List<IstioResource> resources = IstioYamlParser.parse(sample, "default");
      assertThat(resources).as("resources of %s", sample.getFileName()).isNotEmpty();
    } catch (InvalidConfigException e) {
      assertThat(e.problems())
          .allSatisfy(
              p -> {
                assertThat(p.message()).contains("not supported by Meshproof yet");
                assertThat(p.line()).isPositive();
              });
    }
  }

  @Test
  void theCorpusIsEveryIstioSampleFile() throws Exception {
    assertThat(samples()).hasSize(57);
  }

  @Test
  void bookinfoLoadsAsTopology() throws Exception {
    Path bookinfo =
        samples()
            .filter(
                p -> p.getFileName().toString().equals("bookinfo__platform__kube__bookinfo.yaml"))
            .findFirst()
            .orElseThrow();
    List<IstioResource> resources = IstioYamlParser.parse(bookinfo, "default");
    assertThat(resources)
        .filteredOn(KubernetesDeployment.class::isInstance)
        .map(r -> r.meta().name())
        .containsExactly(
            "details-v1", "ratings-v1", "reviews-v1", "reviews-v2", "reviews-v3", "productpage-v1");
    assertThat(resources)
        .filteredOn(KubernetesService.class::isInstance)
        .map(r -> r.meta().name())
        .containsExactly("details", "ratings", "reviews", "productpage");
    assertThat(resources).filteredOn(KubernetesServiceAccount.class::isInstance).hasSize(4);
  }

  @Test
  void kindsOutsideTheSimulationAreAcceptedAndListed() throws Exception {
    Path certificate =
        samples()
            .filter(p -> p.getFileName().toString().contains("bookinfo-certificate"))
            .findFirst()
            .orElseThrow();
    List<IstioResource> resources = IstioYamlParser.parse(certificate, "default");
    assertThat(resources)
        .filteredOn(NotSimulatedResource.class::isInstance)
        .map(r -> ((NotSimulatedResource) r).describe())
        .anySatisfy(d -> assertThat(d).startsWith("certmanager.k8s.io/v1alpha1 ClusterIssuer"));
  }
}
