package dev.meshproof.scenario.yaml;

import static dev.meshproof.scenario.expect.Expectations.attempts;
import static dev.meshproof.scenario.expect.Expectations.ejection;
import static dev.meshproof.scenario.expect.Expectations.grpcStatus;
import static dev.meshproof.scenario.expect.Expectations.latency;
import static dev.meshproof.scenario.expect.Expectations.overflows;
import static dev.meshproof.scenario.expect.Expectations.requestsPerConnection;
import static dev.meshproof.scenario.expect.Expectations.responseFlag;
import static dev.meshproof.scenario.expect.Expectations.retryOverflows;
import static dev.meshproof.scenario.expect.Expectations.servedBy;
import static dev.meshproof.scenario.expect.Expectations.split;
import static dev.meshproof.scenario.expect.Expectations.successRate;
import static dev.meshproof.scenario.yaml.YamlSupport.requireTrue;

import dev.meshproof.scenario.expect.AttemptsExpectation;
import dev.meshproof.scenario.expect.Expectation;
import dev.meshproof.scenario.expect.Expectations;
import dev.meshproof.scenario.expect.MirrorExpectation;
import dev.meshproof.scenario.expect.PeerIdentityExpectation;
import dev.meshproof.scenario.expect.ReachabilityExpectation;
import dev.meshproof.scenario.expect.ResponseExpectation;
import dev.meshproof.scenario.expect.SplitExpectation;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/** Reads a scenario file's {@code expect} entries into expectations. */
final class ExpectationReader {
  private ExpectationReader() {}

  /**
   * Reads an expectation's {@code during: {from, to}} window (its fields {@code expectation}) into
   * a builder's {@code sentDuring}, reporting a window it refuses, or one that cannot hold a
   * request of its traffic, at the window itself.
   */
  interface WindowReader {
    void accept(Value expectation, BiConsumer<Duration, Duration> sentDuring);
  }

  static Expectation expectation(Value expect, WindowReader during) {
    String kind = expect.fields().keySet().iterator().next();
    Value e = expect.get(kind).orElseThrow();
    return switch (kind) {
      case "split" -> {
        SplitExpectation.Builder split = split(e.string("service").orElseThrow());
        e.string("traffic").ifPresent(split::forTraffic);
        during.accept(e, split::sentDuring);
        e.get("byVersion").ifPresent(v -> split.byVersion(shares(v)));
        e.get("byInstance").ifPresent(v -> split.byInstance(shares(v)));
        e.number("alpha").ifPresent(split::atAlpha);
        yield split.build();
      }
      case "share" -> {
        var share = Expectations.share(e.string("service").orElseThrow());
        e.string("instance").ifPresent(share::instance);
        e.string("version").ifPresent(share::version);
        e.string("traffic").ifPresent(share::forTraffic);
        during.accept(e, share::sentDuring);
        share.lessThan(e.number("lessThan").orElseThrow());
        e.number("alpha").ifPresent(share::atAlpha);
        yield share.build();
      }
      case "successRate" -> {
        var rate = successRate().atLeast(e.number("atLeast").orElseThrow());
        e.number("alpha").ifPresent(rate::atAlpha);
        yield rate.build();
      }
      case "attempts" -> {
        AttemptsExpectation.Builder attempts = attempts();
        e.string("traffic").ifPresent(attempts::forTraffic);
        e.integer("exactly").ifPresent(n -> attempts.exactly(n.intValue()));
        if (e.bool("neverRetried").isPresent()) {
          requireTrue(e, "neverRetried");
          attempts.neverRetried();
        }
        e.get("distribution")
            .ifPresent(
                d -> {
                  Map<Integer, Double> fractions = new TreeMap<>();
                  d.fields()
                      .forEach(
                          (count, share) -> {
                            try {
                              fractions.put(Integer.parseInt(count), (Double) share.value());
                            } catch (NumberFormatException x) {
                              throw new IllegalArgumentException(
                                  "distribution."
                                      + count
                                      + ": not an attempt count (expected: 1, 2, ...)");
                            }
                          });
                  attempts.distribution(fractions);
                });
        e.number("alpha").ifPresent(attempts::atAlpha);
        yield attempts.build();
      }
      case "latency" -> {
        var latency = latency();
        e.string("traffic").ifPresent(latency::forTraffic);
        e.duration("atLeast").ifPresent(latency::atLeast);
        latency.atMost(e.duration("atMost").orElseThrow(), Duration.ZERO);
        yield latency.build();
      }
      case "responseFlag" -> {
        var flag = responseFlag(e.string("flag").orElseThrow());
        e.string("traffic").ifPresent(flag::forTraffic);
        e.integer("status").ifPresent(n -> flag.status(n.intValue()));
        e.duration("delayOf").ifPresent(flag::delayOf);
        e.number("fraction").ifPresent(flag::fraction);
        e.number("alpha").ifPresent(flag::atAlpha);
        yield flag.build();
      }
      case "grpcStatus" -> {
        var status = grpcStatus(e.string("code").orElseThrow());
        e.string("traffic").ifPresent(status::forTraffic);
        e.number("fraction").ifPresent(status::fraction);
        e.number("alpha").ifPresent(status::atAlpha);
        yield status.build();
      }
      case "streamed" ->
          dev.meshproof.scenario.expect.Expectations.streamed(e.string("traffic").orElseThrow());
      case "response" -> response(e);
      case "mirrored" -> mirrored(e);
      case "overflows" -> {
        if (e.bool("none").isPresent()) {
          requireTrue(e, "none");
          yield overflows().none();
        }
        yield overflows().atLeast(e.integer("atLeast").orElseThrow());
      }
      case "retryOverflows" -> {
        var retry = retryOverflows();
        e.string("traffic").ifPresent(retry::forTraffic);
        if (e.bool("none").isPresent()) {
          requireTrue(e, "none");
          yield retry.none();
        }
        yield retry.atLeast(e.integer("atLeast").orElseThrow());
      }
      case "requestsPerConnection" -> {
        var perConnection = requestsPerConnection();
        e.string("traffic").ifPresent(perConnection::forTraffic);
        if (e.integer("atMost").isPresent()) {
          yield perConnection.atMost(e.integer("atMost").orElseThrow().intValue());
        }
        yield perConnection.reusedAtLeast(e.integer("reusedAtLeast").orElseThrow().intValue());
      }
      case "metric" -> {
        var metric =
            dev.meshproof.scenario.expect.Expectations.metric(e.string("series").orElseThrow());
        if (e.bool("equalsObserved").isPresent()) {
          requireTrue(e, "equalsObserved");
          yield metric.equalsObserved();
        }
        yield metric.equalTo(e.integer("equals").orElseThrow());
      }
      case "stat" ->
          dev.meshproof.scenario.expect.Expectations.stat(
              e.string("name").orElseThrow(), e.integer("equals").orElseThrow());
      case "servedBy" ->
          servedBy(e.string("instance").orElseThrow()).atMost(e.integer("atMost").orElseThrow());
      case "sameInstancePerKey" -> {
        var affinity = Expectations.sameInstancePerKey(e.integer("keys").orElseThrow().intValue());
        e.string("traffic").ifPresent(affinity::forTraffic);
        e.integer("atLeastInstances").ifPresent(n -> affinity.atLeastInstances(n.intValue()));
        yield affinity.build();
      }
      case "ejection" ->
          ejection(e.string("instance").orElseThrow())
              .lastsAtLeast(e.duration("lastsAtLeast").orElseThrow())
              .readmittedWithin(e.duration("readmittedWithin").orElseThrow())
              .atAlpha(e.number("alpha").orElseThrow());
      case "reachability" -> {
        ReachabilityExpectation.Builder matrix = Expectations.reachability();
        for (Value cell : e.items()) {
          matrix.cell(
              cell.string("from").orElseThrow(),
              cell.string("to").orElseThrow(),
              cell.string("expect").orElseThrow());
        }
        yield matrix.build();
      }
      case "peerIdentity" -> {
        PeerIdentityExpectation.Builder identity =
            Expectations.peerIdentity(e.string("principal").orElseThrow());
        e.string("traffic").ifPresent(identity::forTraffic);
        e.integer("distinctCertificatesAtLeast")
            .ifPresent(n -> identity.distinctCertificatesAtLeast(n.intValue()));
        yield identity.build();
      }
      default -> throw new IllegalStateException("expectation kind " + kind + " not in schema");
    };
  }

  static Expectation response(Value e) {
    ResponseExpectation.Builder response = Expectations.response();
    e.string("traffic").ifPresent(response::forTraffic);
    e.string("outcome").ifPresent(response::outcome);
    e.integer("status").ifPresent(n -> response.status(n.intValue()));
    e.get("headers")
        .ifPresent(h -> h.fields().forEach((n, v) -> response.header(n, (String) v.value())));
    e.get("headersAbsent")
        .ifPresent(h -> h.items().forEach(n -> response.headerAbsent((String) n.value())));
    e.string("body").ifPresent(response::body);
    e.get("received")
        .ifPresent(
            r -> {
              r.string("path").ifPresent(response::receivedPath);
              r.string("authority").ifPresent(response::receivedAuthority);
              r.get("headers")
                  .ifPresent(
                      h ->
                          h.fields()
                              .forEach((n, v) -> response.receivedHeader(n, (String) v.value())));
              r.get("headersAbsent")
                  .ifPresent(
                      h ->
                          h.items()
                              .forEach(n -> response.receivedHeaderAbsent((String) n.value())));
            });
    return response.build();
  }

  static Expectation mirrored(Value e) {
    MirrorExpectation.Builder mirrored = Expectations.mirrored(e.string("service").orElseThrow());
    e.string("version").ifPresent(mirrored::version);
    e.string("traffic").ifPresent(mirrored::forTraffic);
    if (e.bool("all").isPresent()) {
      requireTrue(e, "all");
      mirrored.all();
    }
    if (e.bool("none").isPresent()) {
      requireTrue(e, "none");
      mirrored.none();
    }
    e.number("fraction").ifPresent(mirrored::fraction);
    e.number("alpha").ifPresent(mirrored::atAlpha);
    e.string("authority").ifPresent(mirrored::authority);
    return mirrored.build();
  }

  static Map<String, Double> shares(Value map) {
    Map<String, Double> shares = new LinkedHashMap<>();
    map.fields().forEach((k, v) -> shares.put(k, (Double) v.value()));
    return shares;
  }
}
