package dev.meshproof.k8s.testcluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.awaitility.Awaitility;

/**
 * A real Kubernetes API server for tests, envtest's way: etcd (Debian's {@code etcd-server}) and
 * kube-apiserver v1.37.2 (built by {@link KubeApiServerBinary}) on loopback, with Istio's CRDs
 * (istio.io/api v1.32.0) installed, so every resource is checked by the server's own validation and
 * the CRDs' OpenAPI schemas. There is no kubelet, scheduler or controller-manager: objects are
 * stored and validated, Deployments never roll out, namespaces never finish terminating.
 *
 * <p>Stopped in the order kube-apiserver needs: the API server first, then etcd.
 */
public final class TestApiServer implements AutoCloseable {
  /** The kube-apiserver version built and started. */
  public static final String KUBERNETES_VERSION = "v1.37.2";

  /** The Istio API module whose CRDs are installed. */
  public static final String ISTIO_API_VERSION = "v1.32.0";

  private static final Duration STARTUP = Duration.ofSeconds(90);
  private static final ExecutorService SPAWNER =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "meshproof-test-apiserver-spawner");
            t.setDaemon(true);
            return t;
          });

  private final Path dir;
  private final Process etcd;
  private final Process apiServer;
  private final String kubeconfig;
  private final KubernetesClient client;

  private TestApiServer(
      Path dir, Process etcd, Process apiServer, String kubeconfig, KubernetesClient client) {
    this.dir = dir;
    this.etcd = etcd;
    this.apiServer = apiServer;
    this.kubeconfig = kubeconfig;
    this.client = client;
  }

  /** Why the API server cannot run here (no Go or no etcd), with how to fix it; empty if it can. */
  public static Optional<String> unavailableReason() {
    Optional<Path> etcd = onPath("etcd");
    if (etcd.isEmpty()) {
      return Optional.of(
          "etcd not found: `apt-get install etcd-server` (the test API server needs it)");
    }
    return KubeApiServerBinary.unavailableReason();
  }

  /** Starts etcd and kube-apiserver on loopback and installs Istio's CRDs. */
  public static TestApiServer start() {
    Path dir;
    try {
      dir = Files.createTempDirectory("meshproof-apiserver-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Process etcd = null;
    Process apiServer = null;
    try {
      Path apiServerBinary = KubeApiServerBinary.locateOrBuild();
      int etcdClient = freePort();
      int etcdPeer = freePort();
      int securePort = freePort();
      etcd =
          spawn(
              List.of(
                  onPath("etcd").orElseThrow().toString(),
                  "--name=meshproof",
                  "--data-dir=" + dir.resolve("etcd"),
                  "--listen-client-urls=http://127.0.0.1:" + etcdClient,
                  "--advertise-client-urls=http://127.0.0.1:" + etcdClient,
                  "--listen-peer-urls=http://127.0.0.1:" + etcdPeer,
                  "--initial-advertise-peer-urls=http://127.0.0.1:" + etcdPeer,
                  "--initial-cluster=meshproof=http://127.0.0.1:" + etcdPeer,
                  "--listen-metrics-urls=",
                  "--log-level=warn"),
              dir.resolve("etcd.log"));
      String token = UUID.randomUUID().toString();
      Files.writeString(dir.resolve("tokens.csv"), token + ",admin,admin,system:masters\n");
      writeServiceAccountKeys(dir);
      apiServer =
          spawn(
              List.of(
                  apiServerBinary.toString(),
                  "--etcd-servers=http://127.0.0.1:" + etcdClient,
                  "--bind-address=127.0.0.1",
                  "--advertise-address=127.0.0.1",
                  "--endpoint-reconciler-type=none",
                  "--secure-port=" + securePort,
                  "--cert-dir=" + dir.resolve("certs"),
                  "--token-auth-file=" + dir.resolve("tokens.csv"),
                  "--authorization-mode=RBAC",
                  "--service-cluster-ip-range=10.96.0.0/16",
                  "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                  "--service-account-key-file=" + dir.resolve("sa.pub"),
                  "--service-account-signing-key-file=" + dir.resolve("sa.key")),
              dir.resolve("kube-apiserver.log"));
      String server = "https://127.0.0.1:" + securePort;
      awaitReady(server, token, apiServer, dir.resolve("kube-apiserver.log"));
      String kubeconfig = kubeconfig(server, token);
      Files.writeString(dir.resolve("kubeconfig"), kubeconfig);
      KubernetesClient client =
          new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig)).build();
      TestApiServer started = new TestApiServer(dir, etcd, apiServer, kubeconfig, client);
      started.installIstioCrds();
      return started;
    } catch (IOException | RuntimeException e) {
      stop(apiServer);
      stop(etcd);
      String logs = logsOf(dir);
      deleteRecursively(dir);
      throw new IllegalStateException("the test API server did not start: " + e + logs, e);
    }
  }

  /** A client with cluster-admin rights (group {@code system:masters}). */
  public KubernetesClient client() {
    return client;
  }

  /** A kubeconfig for this server (one context, {@code meshproof-test}), as YAML text. */
  public String kubeconfig() {
    return kubeconfig;
  }

  /** The kubeconfig as a file, for code that takes a path the way users give one. */
  public Path kubeconfigFile() {
    return dir.resolve("kubeconfig");
  }

  @Override
  public void close() {
    client.close();
    // kube-apiserver must stop before etcd, or it spends its shutdown retrying a dead etcd.
    stop(apiServer);
    stop(etcd);
    deleteRecursively(dir);
  }

  private void installIstioCrds() throws IOException {
    Path crds = IstioCrds.file();
    List<HasMetadata> items =
        client.load(new ByteArrayInputStream(Files.readAllBytes(crds))).items();
    List<String> names = new ArrayList<>();
    for (HasMetadata item : items) {
      client.resource(item).create();
      names.add(item.getMetadata().getName());
    }
    Awaitility.await("Istio CRDs established")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> names.stream().allMatch(this::established));
  }

  private boolean established(String crd) {
    CustomResourceDefinition d =
        client.apiextensions().v1().customResourceDefinitions().withName(crd).get();
    return d != null
        && d.getStatus() != null
        && d.getStatus().getConditions().stream()
            .anyMatch(c -> c.getType().equals("Established") && c.getStatus().equals("True"));
  }

  private static void awaitReady(String server, String token, Process apiServer, Path log) {
    HttpClient http =
        HttpClient.newBuilder()
            .sslContext(trustAll())
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    Awaitility.await("kube-apiserver /readyz")
        .atMost(STARTUP)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              if (!apiServer.isAlive()) {
                throw new IllegalStateException(
                    "kube-apiserver exited with " + apiServer.exitValue());
              }
              try {
                HttpResponse<String> r =
                    http.send(
                        HttpRequest.newBuilder(URI.create(server + "/readyz"))
                            .header("Authorization", "Bearer " + token)
                            .timeout(Duration.ofSeconds(5))
                            .build(),
                        HttpResponse.BodyHandlers.ofString());
                return r.statusCode() == 200;
              } catch (IOException e) {
                return false;
              }
            });
  }

  private static String kubeconfig(String server, String token) {
    return String.join(
        "\n",
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: meshproof-test",
        "  cluster:",
        "    server: " + server,
        // The server's certificate is self-signed into its --cert-dir; loopback only.
        "    insecure-skip-tls-verify: true",
        "users:",
        "- name: admin",
        "  user:",
        "    token: " + token,
        "contexts:",
        "- name: meshproof-test",
        "  context:",
        "    cluster: meshproof-test",
        "    user: admin",
        "current-context: meshproof-test",
        "");
  }

  private static void writeServiceAccountKeys(Path dir) throws IOException {
    KeyPair pair;
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      pair = g.generateKeyPair();
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    Files.writeString(dir.resolve("sa.key"), pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
    Files.writeString(dir.resolve("sa.pub"), pem("PUBLIC KEY", pair.getPublic().getEncoded()));
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  private static Process spawn(List<String> command, Path log) throws IOException {
    List<String> full = new ArrayList<>();
    onPath("setpriv").ifPresent(s -> full.addAll(List.of(s.toString(), "--pdeathsig", "KILL")));
    full.addAll(command);
    ProcessBuilder builder =
        new ProcessBuilder(full)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    try {
      // Spawned from one long-lived thread: --pdeathsig fires when the spawning thread ends.
      Process p = SPAWNER.submit(builder::start).get();
      p.getOutputStream().close();
      return p;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while starting " + command.get(0), e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IOException("cannot start " + command.get(0) + ": " + e.getCause(), e.getCause());
    }
  }

  private static void stop(Process p) {
    if (p == null) {
      return;
    }
    p.destroy();
    try {
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  static Optional<Path> onPath(String command) {
    String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
    for (String d : path.split(java.io.File.pathSeparator)) {
      Path candidate = Path.of(d, command);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    for (String d : List.of("/usr/local/go/bin", "/usr/bin", "/usr/sbin")) {
      Path candidate = Path.of(d, command);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static String logsOf(Path dir) {
    StringBuilder out = new StringBuilder();
    for (String name : List.of("etcd.log", "kube-apiserver.log")) {
      try {
        List<String> lines = Files.readAllLines(dir.resolve(name));
        out.append("\n--- last lines of ").append(name).append(":\n");
        lines
            .subList(Math.max(0, lines.size() - 15), lines.size())
            .forEach(l -> out.append(l).append('\n'));
      } catch (IOException e) {
        // no log written yet
      }
    }
    return out.toString();
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static SSLContext trustAll() {
    try {
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(
          null,
          new TrustManager[] {
            new X509TrustManager() {
              @Override
              public void checkClientTrusted(X509Certificate[] chain, String authType) {}

              @Override
              public void checkServerTrusted(X509Certificate[] chain, String authType) {}

              @Override
              public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
              }
            }
          },
          new SecureRandom());
      return ssl;
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
