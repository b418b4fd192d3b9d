package dev.meshproof.chaos;

import java.util.Objects;

/**
 * The mesh's own fault injection: Istio YAML (typically a {@code VirtualService} with an <a
 * href="https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPFaultInjection">HTTPFaultInjection</a>
 * {@code fault:} block, Envoy's <a
 * href="https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/fault_filter">fault
 * filter</a>) applied while active, and {@code restoreYaml} applied on revert.
 *
 * <p>Istio has no "undo": the revert re-applies the configuration the fault replaced, so {@code
 * restoreYaml} must name the same resources as {@code faultYaml} (e.g. the same VirtualService
 * without its {@code fault:} block). Both applications wait for the proxies to sync, so an {@code
 * INJECTED} event means the sidecars enforce it.
 *
 * @param mesh where the YAML goes
 * @param name a short label for the event log and YAML error messages, e.g. {@code "reviews abort
 *     50% 503"}
 * @param faultYaml applied on inject
 * @param restoreYaml applied on revert
 */
public record ProxyFault(MeshConfigHandle mesh, String name, String faultYaml, String restoreYaml)
    implements Fault {

  /** Checks non-blank YAML on both sides and a name. */
  public ProxyFault {
    Objects.requireNonNull(mesh, "mesh");
    checkParts(name, faultYaml, restoreYaml);
  }

  /**
   * Checks a proxy fault's parts before it has a mesh (a scenario's fault plan): a name and
   * non-blank YAML on both sides.
   *
   * @throws IllegalArgumentException naming the field
   */
  public static void checkParts(String name, String faultYaml, String restoreYaml) {
    checkNotBlank("name", name, "a label such as \"reviews abort 50% 503\"");
    checkNotBlank("faultYaml", faultYaml, "Istio YAML with the fault");
    checkNotBlank("restoreYaml", restoreYaml, "Istio YAML the fault replaced");
  }

  @Override
  public String description() {
    return "proxy: " + name;
  }

  @Override
  public Injection inject() {
    mesh.apply(faultYaml, "chaos:" + name);
    mesh.awaitSynced();
    return () -> {
      mesh.apply(restoreYaml, "chaos:" + name + " (restore)");
      mesh.awaitSynced();
    };
  }

  private static void checkNotBlank(String field, String value, String expected) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(
          field + ": " + (value == null ? "null" : "blank") + " (expected: " + expected + ")");
    }
  }
}
