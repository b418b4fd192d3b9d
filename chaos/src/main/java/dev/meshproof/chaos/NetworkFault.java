package dev.meshproof.chaos;

import dev.meshproof.chaos.network.Toxic;
import dev.meshproof.chaos.network.ToxicProxy;
import java.util.Objects;

/**
 * A degraded network between two points, made by a {@link ToxicProxy} placed on the path (e.g.
 * between a sidecar and its application, or between two sidecars): added latency, a bandwidth cap,
 * resets or a blackhole. Inject adds the toxic to the proxy; revert removes it.
 *
 * @param proxy the proxy on the path
 * @param toxic what it does to the bytes
 */
public record NetworkFault(ToxicProxy proxy, Toxic toxic) implements Fault {

  /** Checks both are present. */
  public NetworkFault {
    Objects.requireNonNull(proxy, "proxy");
    Objects.requireNonNull(toxic, "toxic");
  }

  @Override
  public String description() {
    return "network " + proxy.name() + ": " + toxic.description();
  }

  @Override
  public Injection inject() {
    proxy.addToxic(toxic);
    return () -> proxy.removeToxic(toxic);
  }
}
