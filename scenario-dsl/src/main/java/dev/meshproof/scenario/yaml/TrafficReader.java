package dev.meshproof.scenario.yaml;

import static dev.meshproof.scenario.yaml.YamlSupport.attempt;

import dev.meshproof.scenario.Scenario;
import dev.meshproof.scenario.traffic.RequestVariation;
import dev.meshproof.scenario.traffic.TrafficProtocol;
import dev.meshproof.scenario.traffic.TrafficSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads a scenario file's {@code traffic} entries (and its steady-state probe): checks that their
 * fields agree, fills {@code ${jwt.<token>}} in header values and reads client TLS files.
 */
final class TrafficReader {
  private final ShapeReader reader;
  private final Function<String, Optional<String>> istioFiles;
  private final JwtReader jwtReader;

  TrafficReader(
      ShapeReader reader, Function<String, Optional<String>> istioFiles, JwtReader jwtReader) {
    this.reader = reader;
    this.istioFiles = istioFiles;
    this.jwtReader = jwtReader;
  }

  /**
   * Checks a traffic block's fields that only make sense together, and its URLs, reporting each
   * problem at the field itself; false when one was found.
   */
  boolean trafficFieldsAgree(Value traffic) {
    boolean ok = true;
    Optional<Value> every = traffic.get("every");
    if (every.isPresent() && traffic.get("rate").isPresent()) {
      reader.problem(
          every.get().line(),
          every.get().column(),
          every.get().path(),
          "every cannot be combined with rate (expected: rate for an open loop, or every for a"
              + " paced closed loop)");
      ok = false;
    }
    if (every.isPresent()
        && traffic.string("protocol").orElse("HTTP1").equals(TrafficProtocol.HTTP2.name())) {
      reader.problem(
          every.get().line(),
          every.get().column(),
          every.get().path(),
          "every paces HTTP1 traffic only (expected: rate for paced HTTP2 traffic)");
      ok = false;
    }
    List<Value> urls = new ArrayList<>();
    traffic.get("url").ifPresent(urls::add);
    traffic
        .get("variants")
        .ifPresent(vs -> vs.items().forEach(v -> v.get("url").ifPresent(urls::add)));
    for (Value url : urls) {
      String text = ((String) url.value()).replace(RequestVariation.SEQ, "0");
      try {
        java.net.URI uri = new java.net.URI(text);
        if (!("http".equals(uri.getScheme())
                || "https".equals(uri.getScheme())
                || "tcp".equals(uri.getScheme()))
            || uri.getHost() == null) {
          throw new java.net.URISyntaxException(text, "not an http, https or tcp URL with a host");
        }
        boolean https = "https".equals(uri.getScheme());
        if (https && !traffic.string("from").orElse("").equals(Scenario.INGRESS_GATEWAY)) {
          reader.problem(
              url.line(),
              url.column(),
              url.path(),
              "\""
                  + url.value()
                  + "\": https traffic is a client outside the mesh calling the ingress gateway"
                  + " (expected: from: "
                  + Scenario.INGRESS_GATEWAY
                  + ", or an http:// URL)");
          ok = false;
        } else if (https != traffic.get("tls").isPresent()) {
          Value at = traffic.get("tls").orElse(url);
          reader.problem(
              at.line(),
              at.column(),
              at.path(),
              https
                  ? "https needs the client's tls (expected: tls with at least caCertificates)"
                  : "tls applies to https traffic only (expected: an https:// url)");
          ok = false;
        }
      } catch (java.net.URISyntaxException e) {
        reader.problem(
            url.line(),
            url.column(),
            url.path(),
            "\""
                + url.value()
                + "\" is not a URL: "
                + e.getReason()
                + " (expected: http://<service>[:port]/path, "
                + RequestVariation.SEQ
                + " for the request's sequence number)");
        ok = false;
      }
    }
    return ok;
  }

  void traffic(Value traffic, TrafficSpec.Builder t) {
    traffic.string("name").ifPresent(t::named);
    t.from(traffic.string("from").orElseThrow())
        .request(
            traffic
                .string("method")
                .orElse(
                    traffic.string("protocol").filter("GRPC"::equals).isPresent() ? "POST" : "GET"),
            traffic.string("url").orElseThrow());
    traffic.string("protocol").ifPresent(t::protocol);
    traffic.get("tls").flatMap(this::clientTls).ifPresent(t::tls);
    traffic.string("body").ifPresent(t::body);
    traffic
        .get("headers")
        .ifPresent(
            h -> h.fields().forEach((name, value) -> t.header(name, jwtReader.withTokens(value))));
    traffic.integer("requests").ifPresent(n -> t.requests(Math.toIntExact(n)));
    traffic.integer("concurrency").ifPresent(n -> t.concurrency(n.intValue()));
    traffic.duration("every").ifPresent(t::every);
    traffic.duration("timeout").ifPresent(t::timeout);
    traffic.duration("duration").ifPresent(t::duration);
    traffic.number("rate").ifPresent(t::rate);
    for (Value variant : traffic.get("variants").map(Value::items).orElse(List.of())) {
      Map<String, String> headers = new LinkedHashMap<>();
      variant
          .get("headers")
          .ifPresent(
              h ->
                  h.fields()
                      .forEach((name, value) -> headers.put(name, jwtReader.withTokens(value))));
      t.variants(
          new RequestVariation.Variant(variant.string("url"), headers, variant.string("body")));
    }
  }

  /**
   * An https traffic's {@code tls}: the SNI ({@code ""} for none; default the URL's host), the CA
   * bundle it trusts and its optional client certificate and key, each a file relative to the
   * scenario file; a missing file is a problem at its field.
   */
  private Optional<dev.meshproof.runtime.client.ClientTls> clientTls(Value tls) {
    Map<String, Optional<String>> files = new LinkedHashMap<>();
    Map<String, String> paths = new LinkedHashMap<>();
    boolean ok = true;
    for (String field : List.of("caCertificates", "clientCertificate", "privateKey")) {
      Optional<Value> at = tls.get(field);
      if (at.isEmpty()) {
        files.put(field, Optional.empty());
        continue;
      }
      paths.put(field, (String) at.get().value());
      Optional<String> content = istioFiles.apply((String) at.get().value());
      if (content.isEmpty()) {
        reader.problem(
            at.get().line(),
            at.get().column(),
            at.get().path(),
            "no such file: "
                + at.get().value()
                + " (expected: a PEM file relative to the scenario file)");
        ok = false;
      }
      files.put(field, content);
    }
    if (!ok) {
      return Optional.empty();
    }
    java.util.concurrent.atomic.AtomicReference<dev.meshproof.runtime.client.ClientTls> out =
        new java.util.concurrent.atomic.AtomicReference<>();
    attempt(
        reader,
        tls,
        () ->
            out.set(
                new dev.meshproof.runtime.client.ClientTls(
                    tls.string("sni"),
                    files.get("caCertificates").orElseThrow(),
                    files.get("clientCertificate"),
                    files.get("privateKey"),
                    paths)));
    return Optional.ofNullable(out.get());
  }
}
