package dev.meshproof.conformance;

import static dev.meshproof.scenario.expect.Expectations.response;

import dev.meshproof.scenario.Scenario;
import dev.meshproof.scenario.yaml.ScenarioFile;
import dev.meshproof.scenario.yaml.ScenarioYaml;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The conformance catalogue: every test Meshproof runs against a target. Each encodes a behaviour
 * the Istio documentation promises, with a stated statistical test where the behaviour is random.
 *
 * <p>The catalogue is data: each entry is a scenario file {@code conformance/<id>.scenario.yaml}
 * (listed in {@code conformance/catalogue.txt}) whose {@code metadata} holds its id, feature,
 * description and spec reference, beside the Istio manifest {@code conformance/<id>.yaml} it
 * applies. A user copies one as a starting point. Entries that genuinely need code go in {@link
 * #javaEntries()}.
 */
public final class Catalogue {
  static final String DIRECTORY = "conformance/";
  static final String INDEX = DIRECTORY + "catalogue.txt";

  private static final String VIRTUAL_SERVICE_DOC =
      "https://istio.io/latest/docs/reference/config/networking/virtual-service/";

  private static final String DESTINATION_RULE_DOC =
      "https://istio.io/latest/docs/reference/config/networking/destination-rule/";

  private Catalogue() {}

  public static List<ConformanceTest> all() {
    List<ConformanceTest> tests = new ArrayList<>(fromFiles());
    tests.addAll(javaEntries());
    return List.copyOf(tests);
  }

  /** The entries written as scenario files, in the order of {@code catalogue.txt}. */
  public static List<ConformanceTest> fromFiles() {
    return Arrays.stream(resource(INDEX).orElseThrow(() -> missing(INDEX)).split("\n"))
        .map(String::strip)
        .filter(line -> !line.isEmpty() && !line.startsWith("#"))
        .map(Catalogue::fromFile)
        .toList();
  }

  /**
   * Entries built with the Java DSL because they need code (CORS preflights with their own request
   * headers per case); each names its manifest {@code conformance/<id>.yaml} as the scenario-file
   * entries do.
   */
  static List<ConformanceTest> javaEntries() {
    return List.of(
        new ConformanceTest(
            "mesh-cors",
            Feature.MeshCORS,
            "The proxy answers a preflight from an allowed origin itself (200, the allow headers,"
                + " no call to catalog); a preflight from another origin is forwarded to catalog"
                + " without them; an actual request from an allowed origin gets"
                + " access-control-allow-origin, credentials and exposed headers on catalog's"
                + " answer, one from another origin (or differing only in case) gets none.",
            VIRTUAL_SERVICE_DOC + "#CorsPolicy",
            yaml ->
                Scenario.named("catalog CORS policy")
                    .service("catalog", s -> s.version("v1"))
                    .client("client")
                    .istio("mesh-cors.yaml", yaml)
                    .traffic(t -> preflight(t, "preflight", "https://shop.example"))
                    .traffic(t -> preflight(t, "preflight-other", "https://evil.example"))
                    .traffic(
                        t ->
                            t.named("actual")
                                .from("client")
                                .get("http://catalog/items")
                                .header("origin", "https://app.partner.example")
                                .requests(10))
                    .traffic(
                        t ->
                            t.named("actual-other")
                                .from("client")
                                .get("http://catalog/items")
                                .header("origin", "https://SHOP.example")
                                .requests(10))
                    .expect(
                        response()
                            .forTraffic("preflight")
                            .status(200)
                            .header("access-control-allow-origin", "https://shop.example")
                            .header("access-control-allow-methods", "GET,POST")
                            .header("access-control-allow-headers", "x-custom")
                            .header("access-control-max-age", "600")
                            .header("access-control-allow-credentials", "true")
                            .headerAbsent("x-echo-service"))
                    .expect(
                        response()
                            .forTraffic("preflight-other")
                            .header("x-echo-service", "catalog")
                            .headerAbsent("access-control-allow-origin")
                            .headerAbsent("access-control-allow-methods"))
                    .expect(
                        response()
                            .forTraffic("actual")
                            .status(200)
                            .header("x-echo-service", "catalog")
                            .header("access-control-allow-origin", "https://app.partner.example")
                            .header("access-control-allow-credentials", "true")
                            .header("access-control-expose-headers", "x-echo-version"))
                    .expect(
                        response()
                            .forTraffic("actual-other")
                            .status(200)
                            .header("x-echo-service", "catalog")
                            .headerAbsent("access-control-allow-origin")
                            .headerAbsent("access-control-expose-headers"))
                    .build()));
  }

  /**
   * Traffic {@code name} ({@code method} {@code path} to catalog, 10 requests) must be served by
   * catalog {@code version} every time: an exact check (routing is deterministic), no alpha spent.
   */
  private static void servedOnlyBy(
      Scenario.Builder scenario, String name, String method, String path, String version) {
    scenario
        .traffic(
            t -> t.named(name).from("client").request(method, "http://catalog" + path).requests(10))
        .expect(response().forTraffic(name).status(200).header("x-echo-version", version));
  }

  /** The scenario file {@code name} of the catalogue, read with the manifests beside it. */
  static ScenarioFile scenarioFile(String name) {
    String path = DIRECTORY + name;
    return ScenarioYaml.parse(
        path,
        resource(path).orElseThrow(() -> missing(path)),
        relative -> resource(DIRECTORY + relative));
  }

  private static ConformanceTest fromFile(String name) {
    return entry(name, scenarioFile(name));
  }

  /** The entry a scenario file describes in its {@code metadata}. */
  static ConformanceTest entry(String name, ScenarioFile file) {
    String id = metadata(file, "id");
    if (!name.equals(id + ".scenario.yaml")) {
      throw new IllegalStateException(
          DIRECTORY + name + ": metadata.id " + id + " (expected: the file's base name)");
    }
    Feature feature;
    try {
      feature = Feature.valueOf(metadata(file, "feature"));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(
          DIRECTORY
              + name
              + ": metadata.feature "
              + metadata(file, "feature")
              + " (expected one of "
              + Arrays.toString(Feature.values())
              + ")",
          e);
    }
    return new ConformanceTest(
        id,
        feature,
        metadata(file, "description"),
        metadata(file, "specReference"),
        manifest -> file.scenario());
  }

  private static String metadata(ScenarioFile file, String key) {
    return file.metadata(key)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    file.source() + ": metadata." + key + " is missing (expected in every entry)"));
  }

  static Optional<String> resource(String path) {
    try (InputStream in = Catalogue.class.getClassLoader().getResourceAsStream(path)) {
      return in == null
          ? Optional.empty()
          : Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  private static IllegalStateException missing(String path) {
    return new IllegalStateException(path + " is missing from the conformance catalogue");
  }

  /**
   * Unknown hosts under {@code policy}: a name and an address off loopback are answered by the
   * catch-all virtual host (503 UH under ALLOW_ANY, 502 under REGISTRY_ONLY) without reaching any
   * echo; the registered catalog is the near miss that must still be served.
   */
  /** A CORS preflight for POST with {@code x-custom} from {@code origin}, 10 times. */
  private static void preflight(
      dev.meshproof.scenario.traffic.TrafficSpec.Builder t, String name, String origin) {
    t.named(name)
        .from("client")
        .request("OPTIONS", "http://catalog/items")
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "x-custom")
        .requests(10);
  }
}
