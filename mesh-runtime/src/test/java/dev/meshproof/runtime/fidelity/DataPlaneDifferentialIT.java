package dev.meshproof.runtime.fidelity;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.meshproof.runtime.Mesh;
import dev.meshproof.runtime.Workload;
import dev.meshproof.runtime.WorkloadSpec;
import dev.meshproof.runtime.config.InvalidConfigException;
import dev.meshproof.runtime.envoy.EnvoyDataPlane;
import dev.meshproof.runtime.fidelity.FuzzModel.Case;
import dev.meshproof.runtime.fidelity.FuzzModel.Config;
import dev.meshproof.runtime.fidelity.FuzzModel.Dest;
import dev.meshproof.runtime.fidelity.FuzzModel.Req;
import dev.meshproof.runtime.fidelity.FuzzModel.Rule;
import dev.meshproof.runtime.fidelity.FuzzModel.Vs;
import dev.meshproof.runtime.xds.XdsRejectedException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.opentest4j.TestAbortedException;

/**
 * The differential fuzzer: generated VirtualServices and DestinationRules are applied to two meshes
 * with the same topology, one with our embedded sidecar and one with real Envoy 1.40 (the
 * reference), and every generated request must get the same answer from both: the same status, the
 * same workload instance answering (or, where the config leaves a random choice, instances the same
 * weighted rule or load-balanced cluster could both pick), the same local-reply body (NR, NC, UH),
 * and the same ACK or NACK of the config. A disagreement fails with the YAML and the request, and
 * jqwik shrinks it.
 *
 * <p>Bounded for {@code mvn verify}: a fixed seed and {@link #DEFAULT_TRIES} cases; {@code
 * -Dmeshproof.fuzz.tries=1000}, {@code -Dmeshproof.fuzz.seed=<n>} and {@code
 * -Dmeshproof.fuzz.categories=ALL} (the gated {@link FuzzCategory#KNOWN_DIVERGENCES} too) widen it.
 */
class DataPlaneDifferentialIT {
  static final int DEFAULT_TRIES = 100;
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  /** Catalog instances by subset label; v1 has two so that load balancing chooses. */
  private static final Map<String, List<String>> CATALOG =
      Map.of(
          "v1", List.of("catalog-v1-0", "catalog-v1-1"),
          "v2", List.of("catalog-v2-0"),
          "v3", List.of("catalog-v3-0"));

  private static final List<EchoApp> apps = new ArrayList<>();
  private static Mesh embedded;
  private static Mesh envoy;
  private static Workload embeddedClient;
  private static Workload envoyClient;
  private static ExecutorService senders;
  private static int cases;
  private static long caseNanos;
  private static long syncNanos;
  private static int requestsSent;

  @BeforeContainer
  static void startBothMeshes() {
    if (EnvoyDataPlane.unavailableReason().isPresent()) {
      return;
    }
    senders = Executors.newFixedThreadPool(8);
    embedded = Mesh.builder().seed(7).start();
    envoy = Mesh.builder().seed(7).dataPlane(EnvoyDataPlane.create()).start();
    List<WorkloadSpec> specs = new ArrayList<>();
    CATALOG.forEach(
        (version, instances) -> {
          for (String instance : instances) {
            EchoApp app = new EchoApp(instance);
            apps.add(app);
            specs.add(
                WorkloadSpec.builder(instance)
                    .label("app", "catalog")
                    .label("version", version)
                    .serves("catalog", 80, app.address())
                    .build());
          }
        });
    EchoApp ratings = new EchoApp("ratings-v1-0");
    apps.add(ratings);
    specs.add(
        WorkloadSpec.builder("ratings-v1-0")
            .label("app", "ratings")
            .label("version", "v1")
            .serves("ratings", 80, ratings.address())
            .build());
    WorkloadSpec client = WorkloadSpec.builder("client-0").label("app", "client").build();
    for (WorkloadSpec spec : specs) {
      embedded.deploy(spec);
      envoy.deploy(spec);
    }
    embeddedClient = embedded.deploy(client);
    envoyClient = envoy.deploy(client);
    embedded.awaitSynced();
    envoy.awaitSynced();
  }

  @AfterContainer
  static void stopBothMeshes() {
    if (cases > 0) {
      System.out.printf(
          "DataPlaneDifferentialIT: %d cases (%d requests on each data plane), %.0f ms per case,"
              + " of which %.0f ms apply and sync on both%n",
          cases, requestsSent, caseNanos / 1e6 / cases, syncNanos / 1e6 / cases);
    }
    if (envoy != null) {
      envoy.close();
    }
    if (embedded != null) {
      embedded.close();
    }
    apps.forEach(EchoApp::close);
    apps.clear();
    if (senders != null) {
      senders.shutdownNow();
    }
    assertThat(EnvoyDataPlane.liveProcesses()).isZero();
  }

  @Provide
  Arbitrary<Case> cases() {
    return new FuzzArbitraries(FuzzCategory.enabled()).cases();
  }

  @Property(tries = DEFAULT_TRIES, seed = "20261201")
  @AddLifecycleHook(FuzzTries.class)
  void ourSidecarAnswersEveryGeneratedRequestAsEnvoyDoes(@ForAll("cases") Case fuzzCase) {
    if (envoy == null) {
      throw new TestAbortedException(EnvoyDataPlane.unavailableReason().orElse("Envoy not found"));
    }
    long start = System.nanoTime();
    String yaml = fuzzCase.config().yaml();
    try {
      embedded.apply(yaml, "fuzz-case.yaml");
      envoy.apply(yaml, "fuzz-case.yaml");
    } catch (InvalidConfigException e) {
      throw new AssertionError(
          "the generator produced config our parser rejects (gate its category in"
              + " FuzzCategory.KNOWN_DIVERGENCES or fix the generator): "
              + e.getMessage()
              + "\n"
              + yaml,
          e);
    }
    Optional<String> embeddedNack = sync(embedded);
    Optional<String> envoyNack = sync(envoy);
    syncNanos += System.nanoTime() - start;
    if (embeddedNack.isPresent() != envoyNack.isPresent()) {
      throw new AssertionError(
          "only one data plane rejected the xDS of this config"
              + "\n  embedded: "
              + embeddedNack.orElse("ACK")
              + "\n  envoy:    "
              + envoyNack.orElse("ACK")
              + fuzzCase.config());
    }
    if (embeddedNack.isPresent()) {
      cases++;
      caseNanos += System.nanoTime() - start;
      return;
    }
    List<CompletableFuture<Observation>> onEmbedded = new ArrayList<>();
    List<CompletableFuture<Observation>> onEnvoy = new ArrayList<>();
    requestsSent += fuzzCase.requests().size();
    for (Req request : fuzzCase.requests()) {
      onEmbedded.add(send(embedded, embeddedClient, request));
      onEnvoy.add(send(envoy, envoyClient, request));
    }
    Set<Set<String>> choices = randomChoices(fuzzCase.config());
    List<String> disagreements = new ArrayList<>();
    for (int i = 0; i < fuzzCase.requests().size(); i++) {
      Observation ours = onEmbedded.get(i).join();
      Observation reference = onEnvoy.get(i).join();
      if (!ours.agreesWith(reference, choices)) {
        disagreements.add(
            "  "
                + fuzzCase.requests().get(i)
                + "\n    embedded: "
                + ours
                + "\n    envoy:    "
                + reference);
      }
    }
    cases++;
    caseNanos += System.nanoTime() - start;
    if (!disagreements.isEmpty()) {
      throw new AssertionError(
          "our sidecar and Envoy disagree on the same xDS:\n"
              + String.join("\n", disagreements)
              + "\nconfig:"
              + fuzzCase.config());
    }
  }

  /** Waits for every proxy of {@code mesh} to ACK; the NACK detail if one rejected the config. */
  private static Optional<String> sync(Mesh mesh) {
    try {
      mesh.awaitSynced();
      return Optional.empty();
    } catch (XdsRejectedException e) {
      return Optional.of(e.getMessage());
    }
  }

  private CompletableFuture<Observation> send(Mesh mesh, Workload client, Req request) {
    InetSocketAddress sidecar = mesh.httpAddress(client, 80);
    return CompletableFuture.supplyAsync(
        () -> {
          long t0 = System.nanoTime();
          Observation o = Observation.of(RawHttp.send(sidecar, request, REQUEST_TIMEOUT));
          System.out.println(
              "TIMING "
                  + (client == envoyClient ? "envoy " : "embedded ")
                  + (System.nanoTime() - t0) / 1000000
                  + " "
                  + request
                  + " -> "
                  + o);
          return o;
        },
        senders);
  }

  /**
   * The sets of answers among which a data plane may legitimately choose at random: for each rule,
   * what its destinations with non-zero weight can answer (the weighted pick, then the cluster's
   * load balancer), and a whole service where a VirtualService may not bind it (its default route).
   * An answer is an instance name, or a local reply (an undeclared subset is NC, a declared subset
   * without instances is UH).
   */
  static Set<Set<String>> randomChoices(Config config) {
    Set<Set<String>> out = new HashSet<>();
    // A wildcard host may or may not bind a service (istiod binds it; our translator may not yet):
    // only a plain host surely replaces the service's default route.
    boolean catalogSurelyBound = false;
    boolean ratingsSurelyBound = false;
    Set<String> declared =
        config.destinationRule().subsets().stream()
            .map(FuzzModel.Subset::name)
            .collect(Collectors.toSet());
    for (Vs vs : List.of(config.primary(), config.secondary())) {
      boolean bindsCatalog =
          vs.hosts().stream().anyMatch(h -> h.contains("*") || h.startsWith("catalog"));
      boolean bindsRatings =
          vs.hosts().stream().anyMatch(h -> h.contains("*") || h.startsWith("ratings"));
      catalogSurelyBound |= vs.hosts().stream().anyMatch(h -> h.startsWith("catalog"));
      ratingsSurelyBound |= vs.hosts().stream().anyMatch(h -> h.startsWith("ratings"));
      if (!bindsCatalog && !bindsRatings) {
        // Bound to no registry service: its rules route nothing.
        continue;
      }
      for (Rule rule : vs.http()) {
        Set<String> answers = new TreeSet<>();
        for (Dest dest : rule.route()) {
          if (rule.route().size() == 1 || dest.weight() > 0) {
            answers.addAll(answers(dest, declared));
          }
        }
        out.add(answers);
      }
    }
    if (!catalogSurelyBound) {
      out.add(allCatalog());
    }
    if (!ratingsSurelyBound) {
      out.add(Set.of("ratings-v1-0"));
    }
    return out;
  }

  private static Set<String> answers(Dest dest, Set<String> declaredSubsets) {
    if (dest.host().startsWith("ratings")) {
      return Set.of("ratings-v1-0");
    }
    if (!dest.host().startsWith("catalog")) {
      return Set.of();
    }
    if (dest.subset().isEmpty()) {
      return allCatalog();
    }
    String subset = dest.subset().get();
    if (!declaredSubsets.contains(subset)) {
      return Set.of(Observation.localReply(503, ""));
    }
    List<String> instances = CATALOG.getOrDefault(subset, List.of());
    return instances.isEmpty()
        ? Set.of(Observation.localReply(503, "no healthy upstream"))
        : Set.copyOf(instances);
  }

  private static Set<String> allCatalog() {
    return CATALOG.values().stream().flatMap(List::stream).collect(Collectors.toSet());
  }

  /**
   * What a client saw, as one answer: the instance that answered (with its status), or a local
   * reply's status and body, which names its cause (empty for NR and NC, {@code no healthy
   * upstream} for UH), or the failed exchange.
   */
  record Observation(String answer) {
    static Observation of(RawHttp.Response response) {
      if (!response.error().isEmpty()) {
        return new Observation("no response");
      }
      String app = response.headers().get("x-app");
      if (app == null) {
        return new Observation(localReply(response.status(), response.body()));
      }
      return new Observation(response.status() == 200 ? app : app + " " + response.status());
    }

    static String localReply(int status, String body) {
      return "local reply " + status + " \"" + body + "\"";
    }

    boolean agreesWith(Observation other, Set<Set<String>> randomChoices) {
      return answer.equals(other.answer)
          || randomChoices.stream().anyMatch(c -> c.contains(answer) && c.contains(other.answer));
    }

    @Override
    public String toString() {
      return answer;
    }
  }

  /** An app that answers {@code 200} with its instance name in {@code x-app}. */
  static final class EchoApp implements AutoCloseable {
    private final HttpServer server;

    EchoApp(String instance) {
      try {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      server.createContext(
          "/",
          exchange -> {
            byte[] body =
                (instance + " " + exchange.getRequestURI()).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("x-app", instance);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(body);
            }
          });
      server.start();
    }

    InetSocketAddress address() {
      return server.getAddress();
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }
}
