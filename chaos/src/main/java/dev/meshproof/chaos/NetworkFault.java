package dev.meshproof.chaos;

import dev.meshproof.chaos.network.Toxic;
import dev.meshproof.chaos.network.ToxicProxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A degraded network on one link, made by the {@link ToxicProxy}s placed on it (e.g. between a
 * sidecar and its application, or between a caller's sidecar and each callee instance's sidecar): a
 * {@link Toxic} on a fraction of connections, or the link refusing connections outright (a
 * partition). Inject applies the disruption to every proxy of the link; revert undoes it.
 *
 * @param link the link's name for the event log, e.g. {@code client -> catalog v2}
 * @param proxies the proxies on the link, at least one; possibly a live view the deployment adds to
 *     (each injection acts on the proxies there at that moment, its revert on the same ones)
 * @param disruption what the link does while the fault is active
 */
public record NetworkFault(String link, List<ToxicProxy> proxies, Disruption disruption)
    implements Fault {

  /** Checks a link name, at least one proxy and a disruption. */
  public NetworkFault {
    if (link == null || link.isBlank()) {
      throw new IllegalArgumentException("link: \"" + link + "\" (expected: a link name)");
    }
    Objects.requireNonNull(proxies, "proxies");
    if (proxies.isEmpty()) {
      throw new IllegalArgumentException(
          "proxies: [] (expected: at least one toxic proxy on the link " + link + ")");
    }
    // Not copied: a deployment hands out a live, unmodifiable view of a link's proxies, so a proxy
    // it places later (an instance added by a scale-up) is covered by the next injection.
    proxies.forEach(p -> Objects.requireNonNull(p, "proxies: null entry"));
    Objects.requireNonNull(disruption, "disruption");
  }

  /** {@code toxic} on every connection through {@code proxy}. */
  public NetworkFault(ToxicProxy proxy, Toxic toxic) {
    this(proxy.name(), List.of(proxy), new Degrade(toxic, 1.0));
  }

  /** What a link does while a {@link NetworkFault} is active. */
  public sealed interface Disruption permits Degrade, Refuse {
    /** For the event log. */
    String description();
  }

  /**
   * A toxic on a fraction of the link's connections (Toxiproxy's toxicity).
   *
   * @param toxic what it does to the bytes
   * @param toxicity the fraction of connections it applies to, in {@code (0, 1]}
   */
  public record Degrade(Toxic toxic, double toxicity) implements Disruption {
    /** Checks a toxic and the toxicity. */
    public Degrade {
      Objects.requireNonNull(toxic, "toxic");
      if (!(toxicity > 0 && toxicity <= 1)) {
        throw new IllegalArgumentException(
            "toxicity: " + toxicity + " (expected: a fraction of connections in (0, 1])");
      }
    }

    @Override
    public String description() {
      return toxic.description()
          + (toxicity >= 1 ? "" : " on " + Math.round(toxicity * 1000) / 10.0 + "% of connections");
    }
  }

  /**
   * The link refuses connections and its open connections are closed: a partition whose caller sees
   * connection failures (Envoy: UF), as Toxiproxy's {@code enabled: false}.
   */
  public record Refuse() implements Disruption {
    @Override
    public String description() {
      return "connections refused";
    }
  }

  @Override
  public String description() {
    return "network " + link + ": " + disruption.description();
  }

  @Override
  public Injection inject() {
    List<Runnable> undo = new ArrayList<>();
    try {
      for (ToxicProxy proxy : proxies) {
        if (disruption instanceof Degrade d) {
          proxy.addToxic(d.toxic(), d.toxicity());
          undo.add(() -> proxy.removeToxic(d.toxic()));
        } else {
          proxy.disable();
          undo.add(proxy::enable);
        }
      }
    } catch (RuntimeException e) {
      undo.forEach(Runnable::run);
      throw e;
    }
    return () -> {
      // Undo every proxy even when one fails, then report the first failure.
      RuntimeException first = null;
      for (Runnable u : undo) {
        try {
          u.run();
        } catch (RuntimeException e) {
          if (first == null) {
            first = e;
          } else {
            first.addSuppressed(e);
          }
        }
      }
      if (first != null) {
        throw first;
      }
    };
  }
}
