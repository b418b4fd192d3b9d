package dev.meshproof.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.runtime.envoy.EnvoyDataPlane;
import dev.meshproof.runtime.security.MeshSecurity;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Mutual TLS between sidecars on both data planes from the same xDS: workload certificates over
 * SDS, auto mTLS, PeerAuthentication STRICT / PERMISSIVE, the caller's identity in {@code
 * x-forwarded-client-cert}, a plaintext caller to STRICT refused before the app, rotation.
 */
class MutualTlsIT {
  static Stream<String> dataPlanes() {
    return Stream.of("embedded", "envoy");
  }

  private static DataPlane dataPlane(String name) {
    if (name.equals("envoy")) {
      assumeTrue(
          EnvoyDataPlane.unavailableReason().isEmpty(),
          () -> EnvoyDataPlane.unavailableReason().orElseThrow());
      return EnvoyDataPlane.create();
    }
    return DataPlane.embedded();
  }

  private static final String STRICT_DEFAULT_NS =
      """
      apiVersion: security.istio.io/v1
      kind: PeerAuthentication
      metadata: {name: default, namespace: default}
      spec:
        mtls: {mode: STRICT}
      """;

  private static final String SLEEP_ID = "spiffe://cluster.local/ns/default/sa/sleep";
  private static final String REVIEWS_ID = "spiffe://cluster.local/ns/default/sa/reviews";

  private static Mesh mesh(String dataPlane, MeshSecurity security) {
    return Mesh.builder().dataPlane(dataPlane(dataPlane)).security(security).start();
  }

  private static Workload deploy(Mesh mesh, TestApp app) {
    mesh.deploy(
        WorkloadSpec.builder("reviews-0")
            .serviceAccount("reviews")
            .serves("reviews", 9080, app.address())
            .build());
    return mesh.deploy(WorkloadSpec.builder("sleep-0").serviceAccount("sleep").build());
  }

  @ParameterizedTest
  @MethodSource("dataPlanes")
  void strictAdmitsTheMeshCallerWithItsIdentityAndClosesAPlaintextCaller(String dataPlane)
      throws IOException {
    try (TestApp app = new TestApp("reviews");
        Mesh mesh = mesh(dataPlane, MeshSecurity.defaults())) {
      Workload sleep = deploy(mesh, app);
      mesh.apply(STRICT_DEFAULT_NS, "strict.yaml");
      mesh.awaitSynced();

      HttpOutcome viaSidecar = sleep.http().get("http://reviews:9080/r").join();

      assertThat(viaSidecar.status()).as(viaSidecar.body() + viaSidecar.error()).isEqualTo(200);
      String xfcc = viaSidecar.header("x-seen-xfcc").orElseThrow();
      assertThat(xfcc)
          .matches("By=" + REVIEWS_ID + ";Hash=[0-9a-f]{64};Subject=\"\";URI=" + SLEEP_ID);
      int served = app.requests();

      String plaintext = plaintextExchange(inbound(mesh));

      assertThat(plaintext).isEmpty();
      assertThat(app.requests()).isEqualTo(served);
    }
  }

  @ParameterizedTest
  @MethodSource("dataPlanes")
  void permissiveServesMutualTlsAndPlaintextOnOnePort(String dataPlane) throws IOException {
    try (TestApp app = new TestApp("reviews");
        Mesh mesh = mesh(dataPlane, MeshSecurity.defaults())) {
      Workload sleep = deploy(mesh, app);
      mesh.awaitSynced();

      HttpOutcome viaSidecar = sleep.http().get("http://reviews:9080/r").join();
      String plaintext = plaintextExchange(inbound(mesh));

      assertThat(viaSidecar.header("x-seen-xfcc"))
          .as(viaSidecar.status() + " " + viaSidecar.body())
          .hasValueSatisfying(x -> assertThat(x).endsWith("URI=" + SLEEP_ID));
      assertThat(plaintext).startsWith("HTTP/1.1 200").contains("reviews /p");
      assertThat(plaintext).doesNotContain("x-seen-xfcc");
    }
  }

  @ParameterizedTest
  @MethodSource("dataPlanes")
  void withoutAutoMtlsACallerSidecarToStrictIsRefusedBeforeTheApp(String dataPlane) {
    try (TestApp app = new TestApp("reviews");
        Mesh mesh = mesh(dataPlane, MeshSecurity.defaults().withAutoMtls(false))) {
      Workload sleep = deploy(mesh, app);
      mesh.apply(STRICT_DEFAULT_NS, "strict.yaml");
      mesh.awaitSynced();

      HttpOutcome refused = sleep.http().get("http://reviews:9080/r").join();

      assertThat(refused.status()).isEqualTo(503);
      assertThat(refused.body())
          .startsWith("upstream connect error or disconnect/reset before headers.");
      assertThat(app.requests()).isZero();
    }
  }

  @ParameterizedTest
  @MethodSource("dataPlanes")
  void rotationDeliversNewCertificatesWithoutDroppingRequests(String dataPlane) {
    try (TestApp app = new TestApp("reviews");
        TestApp second = new TestApp("reviews-b");
        Mesh mesh = mesh(dataPlane, MeshSecurity.defaults())) {
      Workload sleep = deploy(mesh, app);
      mesh.apply(STRICT_DEFAULT_NS, "strict.yaml");
      mesh.awaitSynced();
      String before =
          sleep.http().get("http://reviews:9080/r").join().header("x-seen-xfcc").orElseThrow();

      mesh.rotateCertificates();
      HttpOutcome during = sleep.http().get("http://reviews:9080/r").join();
      mesh.awaitSynced();
      // A new instance means a new connection, which presents the rotated certificate; the open
      // one to reviews-0 goes on with the old one.
      mesh.deploy(
          WorkloadSpec.builder("reviews-1")
              .serviceAccount("reviews")
              .serves("reviews", 9080, second.address())
              .build());
      mesh.awaitSynced();
      Optional<String> viaNewConnection = Optional.empty();
      // 2^-60 that 60 requests over two instances never reach the new one.
      for (int i = 0; i < 60 && viaNewConnection.isEmpty(); i++) {
        HttpOutcome outcome = sleep.http().get("http://reviews:9080/r").join();
        assertThat(outcome.status()).isEqualTo(200);
        if (outcome.header("x-app").orElse("").equals("reviews-b")) {
          viaNewConnection = outcome.header("x-seen-xfcc");
        }
      }

      assertThat(during.status()).isEqualTo(200);
      assertThat(viaNewConnection)
          .hasValueSatisfying(x -> assertThat(x).endsWith("URI=" + SLEEP_ID));
      assertThat(hash(viaNewConnection.get())).isNotEqualTo(hash(before));
    }
  }

  private static String hash(String xfcc) {
    int at = xfcc.indexOf("Hash=");
    return xfcc.substring(at, at + 5 + 64);
  }

  private static InetSocketAddress inbound(Mesh mesh) {
    return mesh.workload("default", "reviews-0")
        .orElseThrow()
        .sidecar()
        .inboundAddress()
        .orElseThrow();
  }

  /**
   * Sends one plaintext HTTP/1.1 request straight to a sidecar's inbound listener, as a caller
   * without a sidecar would, and returns what came back before the connection closed.
   */
  private static String plaintextExchange(InetSocketAddress address) throws IOException {
    try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
      socket.setSoTimeout(5_000);
      socket
          .getOutputStream()
          .write(
              "GET /p HTTP/1.1\r\nHost: reviews\r\nConnection: close\r\n\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      InputStream in = socket.getInputStream();
      byte[] buf = new byte[4096];
      try {
        for (int n; (n = in.read(buf)) >= 0; ) {
          out.write(buf, 0, n);
        }
      } catch (SocketException e) {
        // A reset is a refusal too: nothing more to read.
      } catch (SocketTimeoutException e) {
        throw new AssertionError("the sidecar neither answered nor closed within 5 s", e);
      }
      return out.toString(StandardCharsets.ISO_8859_1);
    }
  }
}
