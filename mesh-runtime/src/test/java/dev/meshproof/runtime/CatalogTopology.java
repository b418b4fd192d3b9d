package dev.meshproof.runtime;

/**
 * The topology most mesh-runtime ITs route over: catalog v1 and v2 (one {@link TestApp} each,
 * behind sidecars), a client-only workload, and the Istio YAML they share. Closing it stops the
 * apps; the mesh is the test's own.
 */
final class CatalogTopology implements AutoCloseable {
  static final String DESTINATION_RULE =
      """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: catalog}
      spec:
        host: catalog
        subsets:
        - {name: v1, labels: {version: v1}}
        - {name: v2, labels: {version: v2}}
      """;

  /** Bookinfo's rule: requests with {@code end-user: jason} go to v2, all others to v1. */
  static final String JASON_TO_V2 =
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: catalog}
      spec:
        hosts: [catalog]
        http:
        - match:
          - headers:
              end-user: {exact: jason}
          route:
          - destination: {host: catalog, subset: v2}
        - route:
          - destination: {host: catalog, subset: v1}
      """;

  private final TestApp v1 = new TestApp("catalog-v1");
  private final TestApp v2 = new TestApp("catalog-v2");
  private final Workload client;

  private CatalogTopology(Mesh mesh) {
    mesh.deploy(
        WorkloadSpec.builder("catalog-v1-0")
            .label("version", "v1")
            .serves("catalog", 80, v1.address())
            .build());
    mesh.deploy(
        WorkloadSpec.builder("catalog-v2-0")
            .label("version", "v2")
            .serves("catalog", 80, v2.address())
            .build());
    client = mesh.deploy(WorkloadSpec.builder("client-0").label("app", "client").build());
  }

  /** Deploys the two catalog instances and the client into {@code mesh}; no config applied yet. */
  static CatalogTopology deploy(Mesh mesh) {
    return new CatalogTopology(mesh);
  }

  /** A VirtualService sending every request to {@code subset}. */
  static String allTo(String subset) {
    return """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: catalog}
        spec:
          hosts: [catalog]
          http:
          - route:
            - destination: {host: catalog, subset: %s}
        """
        .formatted(subset);
  }

  Workload client() {
    return client;
  }

  @Override
  public void close() {
    v1.close();
    v2.close();
  }
}
