package dev.meshproof.scenario.yaml;

import dev.meshproof.runtime.client.HttpRequestSpec;
import dev.meshproof.scenario.traffic.GrpcCalls;
import dev.meshproof.scenario.traffic.RequestVariation;
import dev.meshproof.scenario.traffic.TrafficProtocol;
import dev.meshproof.scenario.traffic.TrafficSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Writes a scenario's {@code traffic} entries (and a steady-state probe). */
final class TrafficWriter {
  private TrafficWriter() {}

  static Map<String, Object> trafficBlock(TrafficSpec t) {
    Map<String, Object> block = new LinkedHashMap<>();
    block.put("name", t.name());
    block.put("from", t.from());
    block.put("url", t.variation().urlTemplate().orElse(t.request().url().toString()));
    if (GrpcCalls.isGrpc(t.request())) {
      block.put("protocol", "GRPC");
      Map<String, String> headers = new TreeMap<>(t.request().headers());
      headers.remove("content-type");
      headers.remove("te");
      if (!headers.isEmpty()) {
        block.put("headers", headers);
      }
      String json = GrpcCalls.echoRequestJson(t.request().body());
      if (!json.isEmpty()) {
        block.put("body", json);
      }
    } else {
      if (!t.request().method().equals("GET")) {
        block.put("method", t.request().method());
      }
      if (!t.request().headers().isEmpty()) {
        block.put("headers", new TreeMap<>(t.request().headers()));
      }
      if (t.request().body().length > 0) {
        block.put("body", new String(t.request().body(), StandardCharsets.UTF_8));
      }
    }
    t.request().tls().ifPresent(tls -> block.put("tls", tlsBlock(t.name(), tls)));
    if (t.requests() > 0) {
      block.put("requests", t.requests());
    }
    if (!t.duration().isZero()) {
      block.put("duration", t.duration());
    }
    if (t.openLoop()) {
      block.put("rate", t.rate());
    }
    if (t.concurrency() != 1) {
      block.put("concurrency", t.concurrency());
    }
    if (t.protocol() != TrafficProtocol.HTTP1) {
      block.put("protocol", t.protocol().name());
    }
    if (!t.variation().variants().isEmpty()) {
      List<Object> variants = new ArrayList<>();
      for (RequestVariation.Variant v : t.variation().variants()) {
        Map<String, Object> entry = new LinkedHashMap<>();
        v.url().ifPresent(u -> entry.put("url", u));
        if (!v.headers().isEmpty()) {
          entry.put("headers", new LinkedHashMap<>(v.headers()));
        }
        v.body().ifPresent(b -> entry.put("body", b));
        variants.add(entry);
      }
      block.put("variants", variants);
    }
    if (!t.pace().isZero()) {
      block.put("every", t.pace());
    }
    if (!t.request().timeout().equals(HttpRequestSpec.DEFAULT_TIMEOUT)) {
      block.put("timeout", t.request().timeout());
    }
    return block;
  }

  /** An https client's {@code tls} block: the files it was read from, and its SNI. */
  static Map<String, Object> tlsBlock(String traffic, dev.meshproof.runtime.client.ClientTls tls) {
    if (!tls.files().containsKey("caCertificates")) {
      throw new UnsupportedOperationException(
          "traffic "
              + traffic
              + ": an https client's tls built in Java holds the certificates' content, not the"
              + " files a scenario file names (expected: a tls block read from a scenario file)");
    }
    // In the schema's order: ClientTls keeps its files in an unordered map, and a written file must
    // not change from one run to the next.
    Map<String, Object> block = new LinkedHashMap<>();
    for (String field : List.of("caCertificates", "clientCertificate", "privateKey")) {
      if (tls.files().containsKey(field)) {
        block.put(field, tls.files().get(field));
      }
    }
    tls.sni().ifPresent(sni -> block.put("sni", sni));
    return block;
  }
}
