package dev.meshproof.scenario.yaml;

import static dev.meshproof.scenario.expect.Expectations.latency;

import dev.meshproof.chaos.NetworkFault;
import dev.meshproof.chaos.ServiceFault;
import dev.meshproof.chaos.network.Toxic;
import dev.meshproof.scenario.chaos.FaultSpec;
import dev.meshproof.scenario.chaos.InstanceSelector;
import dev.meshproof.scenario.chaos.Link;
import dev.meshproof.scenario.chaos.Rollback;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes a scenario's {@code chaos} and {@code rollbacks} entries. */
final class ChaosWriter {
  private ChaosWriter() {}

  static Map<String, Object> rollback(Rollback rollback, boolean istioAsFiles) {
    if (rollback instanceof Rollback.RestoreService restore) {
      return Map.of("restoreService", selector(restore.instances()));
    }
    if (rollback instanceof Rollback.ApplyIstio apply) {
      return Map.of(
          "istio",
          istioAsFiles
              ? Map.of("file", apply.source())
              : new LinkedHashMap<>(Map.of("source", apply.source(), "inline", apply.yaml())));
    }
    throw new UnsupportedOperationException(
        "rollback "
            + rollback.description()
            + " is a Java action and has no scenario-file form (expected: restoreService or"
            + " istio)");
  }

  static Map<String, Object> fault(FaultSpec fault) {
    if (fault instanceof FaultSpec.ControlPlaneOutage) {
      return Map.of("controlPlaneOutage", true);
    }
    if (fault instanceof FaultSpec.OnProxies proxy) {
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("name", proxy.name());
      p.put("fault", proxy.faultYaml());
      p.put("restore", proxy.restoreYaml());
      return Map.of("proxy", p);
    }
    if (fault instanceof FaultSpec.KillInstances kill) {
      Map<String, Object> k = selector(kill.instances());
      k.put("kill", true);
      return Map.of("service", k);
    }
    if (fault instanceof FaultSpec.DrainInstances drain) {
      Map<String, Object> d = selector(drain.instances());
      d.put("drain", true);
      return Map.of("service", d);
    }
    if (fault instanceof FaultSpec.Scale scale) {
      Map<String, Object> sc = new LinkedHashMap<>();
      sc.put("name", scale.service());
      sc.put("version", scale.version());
      sc.put("replicas", scale.replicas());
      return Map.of("scale", sc);
    }
    if (fault instanceof FaultSpec.OnLink onLink) {
      return onLink(onLink);
    }
    if (fault instanceof FaultSpec.NotReady notReady) {
      Map<String, Object> n = selector(notReady.instances());
      n.put("notReady", true);
      notReady.status().ifPresent(st -> n.put("answering", st.spec()));
      return Map.of("service", n);
    }
    if (fault instanceof FaultSpec.Flap flap) {
      Map<String, Object> f = selector(flap.instances());
      Map<String, Object> phases = new LinkedHashMap<>();
      phases.put("notReady", flap.notReady());
      phases.put("ready", flap.ready());
      f.put("flap", phases);
      flap.status().ifPresent(st -> f.put("answering", st.spec()));
      return Map.of("service", f);
    }
    if (fault instanceof FaultSpec.Ramp ramp) {
      Map<String, Object> r = selector(ramp.instances());
      Map<String, Object> spec = new LinkedHashMap<>();
      Map<String, Object> of = new LinkedHashMap<>();
      if (ramp.of() instanceof FaultSpec.ErrorRamp errors) {
        of.put("from", errors.from());
        of.put("to", errors.to());
        of.put("statuses", errors.statuses().spec());
        spec.put("errors", of);
      } else {
        FaultSpec.LatencyRamp latency = (FaultSpec.LatencyRamp) ramp.of();
        of.put("from", latency.from());
        of.put("to", latency.to());
        spec.put("latency", of);
      }
      ramp.steps().ifPresent(n -> spec.put("steps", n));
      r.put("ramp", spec);
      return Map.of("service", r);
    }
    FaultSpec.OnService onService = (FaultSpec.OnService) fault;
    Map<String, Object> s = selector(onService.instances());
    ServiceFault.Effect effect = onService.effect();
    if (effect instanceof ServiceFault.Errors errors) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("fraction", errors.fraction());
      e.put("statuses", errors.statuses().spec());
      s.put("errors", e);
    } else if (effect instanceof ServiceFault.AddedLatency latency) {
      s.put("latency", latency.latency());
    } else if (effect instanceof ServiceFault.Hang hang) {
      s.put("hang", hang.fraction());
    } else if (effect instanceof ServiceFault.NotReady) {
      s.put("notReady", true);
    } else if (effect instanceof ServiceFault.ConnectionFault c
        && c.fault() == dev.meshproof.fake.behavior.Fault.RESET) {
      s.put("reset", c.fraction());
    } else if (effect instanceof ServiceFault.LatencyDistribution d) {
      s.put("latencyDistribution", latencyDistribution(d.latency()));
    } else {
      throw new UnsupportedOperationException(
          "chaos effect "
              + effect.description()
              + " has no scenario-file form (expected: errors,"
              + " latency, hang or notReady)");
    }
    return Map.of("service", s);
  }

  static Map<String, Object> latencyDistribution(dev.meshproof.fake.behavior.Latency l) {
    Map<String, Object> d = new LinkedHashMap<>();
    if (l instanceof dev.meshproof.fake.behavior.Latency.Uniform u) {
      d.put("uniform", new LinkedHashMap<>(Map.of("min", u.min(), "max", u.max())));
    } else if (l instanceof dev.meshproof.fake.behavior.Latency.Normal n) {
      d.put("normal", new LinkedHashMap<>(Map.of("mean", n.mean(), "stddev", n.stddev())));
    } else if (l instanceof dev.meshproof.fake.behavior.Latency.LogNormal ln) {
      d.put("logNormal", new LinkedHashMap<>(Map.of("median", ln.median(), "sigma", ln.sigma())));
    } else {
      throw new UnsupportedOperationException(
          "latency "
              + l
              + " has no latencyDistribution form (expected: uniform, normal, logNormal)");
    }
    return d;
  }

  static Map<String, Object> onLink(FaultSpec.OnLink onLink) {
    Link link = onLink.link();
    if (onLink.disruption() instanceof NetworkFault.Refuse
        || (onLink.disruption() instanceof NetworkFault.Degrade d
            && d.toxic().equals(Toxic.blackhole())
            && d.toxicity() >= 1
            && link.hop() == Link.Hop.SIDECAR)) {
      Map<String, Object> p = new LinkedHashMap<>();
      link.from().ifPresent(f -> p.put("from", f));
      p.put("to", selector(link.to()));
      p.put("mode", onLink.disruption() instanceof NetworkFault.Refuse ? "refuse" : "blackhole");
      return Map.of("partition", p);
    }
    NetworkFault.Degrade degrade = (NetworkFault.Degrade) onLink.disruption();
    Map<String, Object> n = new LinkedHashMap<>();
    Map<String, Object> l = new LinkedHashMap<>();
    link.from().ifPresent(f -> l.put("from", f));
    l.put(link.hop() == Link.Hop.APP ? "app" : "to", selector(link.to()));
    n.put("link", l);
    if (degrade.toxicity() < 1) {
      n.put("toxicity", degrade.toxicity());
    }
    Toxic toxic = degrade.toxic();
    if (toxic.direction().filter(d -> d == Toxic.Stream.UPSTREAM).isPresent()) {
      n.put("direction", "upstream");
    }
    if (toxic instanceof Toxic.Latency lat) {
      n.put("latency", lat.latency());
      if (!lat.jitter().isZero()) {
        n.put("jitter", lat.jitter());
      }
    } else if (toxic instanceof Toxic.Bandwidth b) {
      n.put("bandwidth", b.bytesPerSecond());
    } else if (toxic instanceof Toxic.SlowClose sc) {
      n.put("slowClose", sc.delay());
    } else if (toxic instanceof Toxic.Timeout t) {
      n.put("timeout", t.timeout());
    } else if (toxic instanceof Toxic.Blackhole) {
      n.put("blackhole", true);
    } else if (toxic instanceof Toxic.Reset) {
      n.put("reset", true);
    } else if (toxic instanceof Toxic.Slicer sl) {
      Map<String, Object> slicer = new LinkedHashMap<>();
      slicer.put("averageSize", sl.averageSize());
      slicer.put("sizeVariation", sl.sizeVariation());
      slicer.put("delay", sl.delay());
      n.put("slicer", slicer);
    } else if (toxic instanceof Toxic.LimitData ld) {
      n.put("limitData", ld.bytes());
    }
    return Map.of("network", n);
  }

  /** A chaos selector's keys: {@code name}, then {@code version} and {@code instance} if set. */
  static Map<String, Object> selector(InstanceSelector selector) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("name", selector.service());
    selector.version().ifPresent(v -> s.put("version", v));
    selector.instance().ifPresent(i -> s.put("instance", i));
    return s;
  }
}
