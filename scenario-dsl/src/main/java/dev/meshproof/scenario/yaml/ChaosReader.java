package dev.meshproof.scenario.yaml;

import static dev.meshproof.scenario.expect.Expectations.latency;
import static dev.meshproof.scenario.yaml.YamlSupport.requireTrue;

import dev.meshproof.chaos.ServiceFault;
import dev.meshproof.chaos.network.Toxic;
import dev.meshproof.fake.behavior.StatusMix;
import dev.meshproof.scenario.chaos.Chaos;
import dev.meshproof.scenario.chaos.FaultSpec;
import dev.meshproof.scenario.chaos.InstanceSelector;
import dev.meshproof.scenario.chaos.StartOn;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads a scenario file's {@code chaos} and {@code rollbacks} entries into faults. */
final class ChaosReader {
  private ChaosReader() {}

  /** The instance selectors a chaos entry names (each checked against the services). */
  static List<Value> chaosSelectors(Value chaos) {
    List<Value> selectors = new ArrayList<>();
    chaos.get("service").ifPresent(selectors::add);
    chaos.get("scale").ifPresent(selectors::add);
    chaos.get("partition").flatMap(p -> p.get("to")).ifPresent(selectors::add);
    chaos
        .get("network")
        .flatMap(n -> n.get("link"))
        .ifPresent(
            link -> {
              link.get("to").ifPresent(selectors::add);
              link.get("app").ifPresent(selectors::add);
            });
    return selectors;
  }

  static InstanceSelector selector(Value service) {
    return new InstanceSelector(
        service.string("name").orElseThrow(),
        service.string("version"),
        service.string("instance"));
  }

  static Chaos.Instances instances(Value service) {
    Chaos.Instances instances = Chaos.service(service.string("name").orElseThrow());
    instances = service.string("version").map(instances::version).orElse(instances);
    return service.string("instance").map(instances::instance).orElse(instances);
  }

  static FaultSpec fault(Value chaos) {
    if (chaos.bool("controlPlaneOutage").isPresent()) {
      requireTrue(chaos, "controlPlaneOutage");
      return Chaos.controlPlaneOutage();
    }
    if (chaos.get("network").isPresent()) {
      return network(chaos.get("network").orElseThrow());
    }
    if (chaos.get("partition").isPresent()) {
      Value partition = chaos.get("partition").orElseThrow();
      Chaos.Instances to = instances(partition.get("to").orElseThrow());
      Chaos.Links links = partition.string("from").map(to::from).orElseGet(to::fromEveryCaller);
      return partition.string("mode").orElse("refuse").equals("blackhole")
          ? links.blackholed()
          : links.refused();
    }
    if (chaos.get("scale").isPresent()) {
      Value scale = chaos.get("scale").orElseThrow();
      return Chaos.scale(
          scale.string("name").orElseThrow(),
          scale.string("version").orElseThrow(),
          scale.integer("replicas").orElseThrow().intValue());
    }
    if (chaos.get("proxy").isPresent()) {
      Value proxy = chaos.get("proxy").orElseThrow();
      return Chaos.proxy(
          proxy.string("name").orElseThrow(),
          proxy.string("fault").orElseThrow(),
          proxy.string("restore").orElseThrow());
    }
    Value service = chaos.get("service").orElseThrow();
    Chaos.Instances instances = instances(service);
    if (service.get("answering").isPresent()
        && service.get("notReady").isEmpty()
        && service.get("flap").isEmpty()) {
      throw new IllegalArgumentException(
          "answering: only with notReady or flap (expected: no answering with another effect)");
    }
    if (service.get("errors").isPresent()) {
      Value errors = service.get("errors").orElseThrow();
      return instances.errors(
          errors.number("fraction").orElseThrow(), errors.string("statuses").orElseThrow());
    }
    if (service.get("latency").isPresent()) {
      return instances.latency(service.duration("latency").orElseThrow());
    }
    if (service.get("hang").isPresent()) {
      return instances.hang(service.number("hang").orElseThrow());
    }
    if (service.get("kill").isPresent()) {
      requireTrue(service, "kill");
      return instances.kill();
    }
    if (service.get("drain").isPresent()) {
      requireTrue(service, "drain");
      return instances.drain();
    }
    if (service.get("reset").isPresent()) {
      return instances.effect(
          new ServiceFault.ConnectionFault(
              dev.meshproof.fake.behavior.Fault.RESET, service.number("reset").orElseThrow()));
    }
    if (service.get("latencyDistribution").isPresent()) {
      return instances.effect(
          new ServiceFault.LatencyDistribution(
              latencyDistribution(service.get("latencyDistribution").orElseThrow())));
    }
    if (service.get("flap").isPresent()) {
      Value flap = service.get("flap").orElseThrow();
      return new FaultSpec.Flap(
          selector(service),
          flap.duration("notReady").orElseThrow(),
          flap.duration("ready").orElseThrow(),
          answering(service));
    }
    if (service.get("ramp").isPresent()) {
      Value ramp = service.get("ramp").orElseThrow();
      FaultSpec.RampOf of;
      if (ramp.get("errors").isPresent()) {
        Value errors = ramp.get("errors").orElseThrow();
        of =
            new FaultSpec.ErrorRamp(
                errors.number("from").orElseThrow(),
                errors.number("to").orElseThrow(),
                StatusMix.parse(errors.string("statuses").orElseThrow()));
      } else {
        Value latency = ramp.get("latency").orElseThrow();
        of =
            new FaultSpec.LatencyRamp(
                latency.duration("from").orElseThrow(), latency.duration("to").orElseThrow());
      }
      return new FaultSpec.Ramp(selector(service), of, ramp.integer("steps").map(Long::intValue));
    }
    requireTrue(service, "notReady");
    return new FaultSpec.NotReady(selector(service), answering(service));
  }

  /** A chaos entry's {@code after}: a number of requests, or the end of an earlier entry. */
  static StartOn startOn(Value after) {
    return after.integer("requests").isPresent()
        ? new StartOn.Requests(after.integer("requests").orElseThrow())
        : new StartOn.FaultEnds(after.integer("faultEnds").orElseThrow().intValue());
  }

  /** The status mix a not-ready instance answers, if the entry gives one. */
  static Optional<StatusMix> answering(Value service) {
    return service.string("answering").map(StatusMix::parse);
  }

  static dev.meshproof.fake.behavior.Latency latencyDistribution(Value d) {
    if (d.get("uniform").isPresent()) {
      Value u = d.get("uniform").orElseThrow();
      return new dev.meshproof.fake.behavior.Latency.Uniform(
          u.duration("min").orElseThrow(), u.duration("max").orElseThrow());
    }
    if (d.get("normal").isPresent()) {
      Value n = d.get("normal").orElseThrow();
      return new dev.meshproof.fake.behavior.Latency.Normal(
          n.duration("mean").orElseThrow(), n.duration("stddev").orElseThrow());
    }
    Value l = d.get("logNormal").orElseThrow();
    return new dev.meshproof.fake.behavior.Latency.LogNormal(
        l.duration("median").orElseThrow(), l.number("sigma").orElseThrow());
  }

  /** A {@code network} chaos entry: one toxic on one link. */
  static FaultSpec network(Value network) {
    Value link = network.get("link").orElseThrow();
    Chaos.Links links;
    if (link.get("app").isPresent()) {
      if (link.get("from").isPresent()) {
        throw new IllegalArgumentException(
            "network.link.from: only with to (expected: no from with app: a sidecar-to-app"
                + " link is used by the instance's own sidecar only)");
      }
      links = instances(link.get("app").orElseThrow()).sidecarToApp();
    } else {
      Chaos.Instances to = instances(link.get("to").orElseThrow());
      links = link.string("from").map(to::from).orElseGet(to::fromEveryCaller);
    }
    Toxic.Stream stream =
        network.string("direction").orElse("downstream").equals("upstream")
            ? Toxic.Stream.UPSTREAM
            : Toxic.Stream.DOWNSTREAM;
    if (network.get("jitter").isPresent() && network.get("latency").isEmpty()) {
      throw new IllegalArgumentException(
          "network.jitter: only with latency (expected: latency: <duration> beside it)");
    }
    Toxic toxic;
    if (network.get("latency").isPresent()) {
      toxic =
          new Toxic.Latency(
              network.duration("latency").orElseThrow(),
              network.duration("jitter").orElse(Duration.ZERO),
              stream);
    } else if (network.get("bandwidth").isPresent()) {
      toxic = new Toxic.Bandwidth(network.integer("bandwidth").orElseThrow(), stream);
    } else if (network.get("slowClose").isPresent()) {
      toxic = new Toxic.SlowClose(network.duration("slowClose").orElseThrow(), stream);
    } else if (network.get("timeout").isPresent()) {
      toxic = new Toxic.Timeout(network.duration("timeout").orElseThrow(), stream);
    } else if (network.get("blackhole").isPresent()) {
      requireTrue(network, "blackhole");
      // Without a direction a blackhole drops both ways, as a partition does.
      toxic =
          network.get("direction").isPresent()
              ? new Toxic.Blackhole(java.util.Set.of(stream))
              : Toxic.blackhole();
    } else if (network.get("reset").isPresent()) {
      requireTrue(network, "reset");
      toxic = Toxic.reset();
    } else if (network.get("slicer").isPresent()) {
      Value slicer = network.get("slicer").orElseThrow();
      toxic =
          new Toxic.Slicer(
              slicer.integer("averageSize").orElseThrow().intValue(),
              slicer.integer("sizeVariation").orElse(0L).intValue(),
              slicer.duration("delay").orElse(Duration.ZERO),
              stream);
    } else {
      toxic = new Toxic.LimitData(network.integer("limitData").orElseThrow(), stream);
    }
    double toxicity = network.number("toxicity").orElse(1.0);
    if (toxicity <= 0) {
      throw new IllegalArgumentException(
          "network.toxicity: " + toxicity + " (expected: a fraction of connections in (0, 1])");
    }
    return links.toxic(toxic, toxicity);
  }
}
