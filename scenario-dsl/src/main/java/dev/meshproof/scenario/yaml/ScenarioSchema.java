package dev.meshproof.scenario.yaml;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.meshproof.scenario.expect.ReachabilityExpectation;
import dev.meshproof.scenario.expect.ResponseExpectation;
import dev.meshproof.scenario.expect.ResponseFlagExpectation;
import dev.meshproof.scenario.traffic.TrafficSpec;
import dev.meshproof.scenario.yaml.Shape.Choice;
import dev.meshproof.scenario.yaml.Shape.Field;
import dev.meshproof.scenario.yaml.Shape.ListOf;
import dev.meshproof.scenario.yaml.Shape.MapOf;
import dev.meshproof.scenario.yaml.Shape.Obj;
import dev.meshproof.scenario.yaml.Shape.Scalar;
import dev.meshproof.scenario.yaml.Shape.ScalarKind;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The scenario file, written down once: every key, its shape, whether it is required and what it
 * means. {@link ScenarioYaml} reads files against it and {@link #jsonSchema()} generates the
 * published JSON Schema ({@code schema/scenario.schema.json}) from it.
 */
public final class ScenarioSchema {
  /** Where the JSON Schema is published, relative to the repository root. */
  public static final String PUBLISHED_PATH = "schema/scenario.schema.json";

  private static final double INF = Double.POSITIVE_INFINITY;

  static final Shape ALPHA =
      number("significance level of the statistical test (default 0.001)", 0, 0.5);
  static final Shape TRAFFIC_REF =
      string("judge only the requests of the traffic block with this name (default: all)");

  static final Obj DURING =
      obj(
          "judge only the requests sent in this window, timed from the start of their traffic"
              + " block (name the block with traffic when there are several): one phase of it,"
              + " e.g. inside an endpoint's warmup window or after it",
          List.of(),
          req("from", duration("the earliest send time judged, e.g. 9s")),
          req("to", duration("requests sent from this time on are not judged; after from")));

  static final Obj APP =
      obj(
          "your own HTTP server as the app of a version, behind its own sidecar; its requests are"
              + " attributed by the upstream host the client's sidecar logs",
          List.of("address", "command"),
          opt(
              "address",
              string("a server you started, 127.0.0.1:<port> (the version has 1 replica)")),
          opt(
              "command",
              new ListOf(
                  string("the program, then its arguments"),
                  "a command started per replica in the working directory, stopped at the end;"
                      + " ${port} (also env PORT) is the port it must listen on")),
          opt("env", new MapOf(string("its value"), "command only: extra environment (${port})")),
          opt(
              "startTimeout",
              duration("command only: how long it may take to listen (default 30s)")));

  static final Obj SERVICE =
      obj(
          "a service of the topology; each version is an echo workload labelled app and version",
          List.of(),
          req("name", string("the service (Kubernetes Service) name, e.g. catalog")),
          opt("port", integer("the service port (default 80)", 1, 65535)),
          opt(
              "portName",
              string(
                  "the service port's name, whose prefix is the protocol Istio gives the port:"
                      + " http (default), http2 (HTTP/2 to the app), grpc (the gRPC echo"
                      + " workload, HTTP/2 to the app) or tcp (Istio's tcp-echo server, each"
                      + " instance answering a line with its name and the line)")),
          opt(
              "morePorts",
              new ListOf(
                  obj(
                      "another port of the Service after port (a Kubernetes Service with several"
                          + " ports): all TCP, or all http / http2; each instance answers on each,"
                          + " the HTTP echo naming the port in x-echo-port",
                      List.of(),
                      req("name", string("the port's name, e.g. http-alt or tcp-other")),
                      req("port", integer("the service port", 1, 65535))),
                  "the Service's further ports (default none)")),
          opt(
              "versions",
              new MapOf(
                  integer("replicas of this version", 1, 1024),
                  "version label -> replica count (default {v1: 1})")),
          opt(
              "apps",
              new MapOf(
                  APP,
                  "version label -> your own HTTP server as that version's app (default: the"
                      + " echo)")),
          opt(
              "tls",
              obj(
                  "the echo terminates TLS itself with its own certificate and runs without a"
                      + " sidecar (a pod with sidecar.istio.io/inject: \"false\" serving HTTPS):"
                      + " what a DestinationRule's tls SIMPLE or MUTUAL originates to",
                  List.of(),
                  req(
                      "certificate",
                      string("PEM file of the server's certificate chain, relative to this file")),
                  req("privateKey", string("PEM file of its PKCS#8 key, relative to this file")),
                  opt(
                      "clientCaCertificates",
                      string(
                          "PEM file of the roots a client certificate must chain to: mutual TLS,"
                              + " a client without one is refused")))));

  static final Obj ISTIO =
      obj(
          "Istio YAML exactly as kubectl apply takes it: a file (relative to this scenario file)"
              + " or inline text; ${app.<instance>.port} in it (e.g. a ServiceEntry endpoint's"
              + " port) is the loopback port of that service instance's app, such as"
              + " catalog-v1-0 (embedded and envoy targets only)",
          List.of("file", "inline"),
          opt("file", string("path of an Istio YAML file, relative to the scenario file")),
          opt("inline", string("Istio YAML text (use a | block)")),
          opt("source", string("a name for inline YAML in error messages")));

  static final Obj VARIANT =
      obj(
          "what one entry of a list of variants changes in the traffic's request (${seq} is"
              + " replaced by the request's sequence number)",
          List.of(),
          opt("url", string("another URL, e.g. http://catalog/items/7")),
          opt(
              "headers",
              new MapOf(string("header value"), "headers added to (or replacing) the request's")),
          opt("body", string("another body, sent as UTF-8")));

  static final Obj TRAFFIC =
      obj(
          "requests a client workload sends through its sidecar",
          List.of(),
          opt("name", string("a name expectations refer to (default traffic-<n>)")),
          req("from", string("the client workload that sends (one of clients)")),
          req(
              "url",
              string(
                  "the URL as the app writes it, e.g. http://catalog/items; ${seq} is replaced by"
                      + " the request's sequence number (from 0), also in header values and the"
                      + " body")),
          opt("method", new Choice(TrafficSpec.METHODS, "the HTTP method (default GET)")),
          opt(
              "headers",
              new MapOf(
                  string("header value"),
                  "request headers, sent exactly as written (Host too, e.g. catalog:80)")),
          opt("body", string("the request body, sent as UTF-8 (default none)")),
          opt(
              "requests",
              integer(
                  "how many requests (default 100; with a duration, none: time bounds it)",
                  1,
                  Integer.MAX_VALUE)),
          opt(
              "duration",
              duration("send for this long; with requests too, stop at whichever comes first")),
          opt(
              "rate",
              number(
                  "open loop: requests per second whatever the answers do, latency measured from"
                      + " each request's intended start (default: a closed loop)",
                  0.001,
                  TrafficSpec.MAX_RATE)),
          opt(
              "concurrency",
              integer(
                  "closed loop: requests in flight at most; open loop: connections (default 1)",
                  1,
                  1024)),
          opt(
              "protocol",
              new Choice(
                  TrafficSpec.PROTOCOLS,
                  "what the app speaks to its sidecar: HTTP1 (default), HTTP2 (h2c, prior"
                      + " knowledge) or GRPC (gRPC calls over HTTP/2 to the method the url's path"
                      + " names, the body a meshproof.echo.v1.EchoRequest as JSON)")),
          opt(
              "variants",
              new ListOf(VARIANT, "request i takes entry i mod n: its url, headers and body")),
          opt(
              "tls",
              obj(
                  "an https client outside the mesh (from the ingress gateway client, an"
                      + " https:// url): what it trusts and presents",
                  List.of(),
                  req(
                      "caCertificates",
                      string(
                          "PEM file of the CA bundle the gateway's certificate must chain to,"
                              + " relative to the scenario file")),
                  opt(
                      "sni",
                      string(
                          "the server name sent in the ClientHello (default the url's host; \"\""
                              + " sends none)")),
                  opt(
                      "clientCertificate",
                      string("PEM file of the client certificate chain presented (MUTUAL)")),
                  opt("privateKey", string("PEM file of the client certificate's key")))),
          opt(
              "every",
              duration(
                  "closed loop, HTTP1: send request i no earlier than i * every after the start")),
          opt("timeout", duration("client-side timeout per request (default 30s)")));

  static final Obj SERVICE_FAULT =
      obj(
          "a fault on service instances: one effect on every selected instance",
          List.of(
              "errors",
              "latency",
              "latencyDistribution",
              "hang",
              "reset",
              "notReady",
              "flap",
              "ramp",
              "kill",
              "drain"),
          req("name", string("the service")),
          opt("version", string("only this version's instances")),
          opt("instance", string("only this instance (pod), e.g. catalog-v1-0")),
          opt(
              "errors",
              obj(
                  "a fraction of requests answered with an error status",
                  List.of(),
                  req("fraction", number("fraction of requests, 0-1", 0, 1)),
                  req(
                      "statuses",
                      string("status:weight pairs like 500:90,200:10, or one status")))),
          opt("latency", duration("every request answered this much later")),
          opt(
              "latencyDistribution",
              obj(
                  "every request answered after a service time drawn per request (seeded)",
                  List.of("uniform", "normal", "logNormal"),
                  opt(
                      "uniform",
                      obj(
                          "uniform between min and max",
                          List.of(),
                          req("min", duration("the shortest service time")),
                          req("max", duration("the longest service time")))),
                  opt(
                      "normal",
                      obj(
                          "normal, clipped at 0",
                          List.of(),
                          req("mean", duration("the mean")),
                          req("stddev", duration("the standard deviation")))),
                  opt(
                      "logNormal",
                      obj(
                          "log-normal (a long tail)",
                          List.of(),
                          req("median", duration("the median")),
                          req("sigma", number("the shape (sigma of the log)", 0, 10)))))),
          opt("hang", number("fraction of requests accepted and never answered, 0-1", 0, 1)),
          opt(
              "reset",
              number(
                  "fraction of requests whose connection the application resets (TCP RST), 0-1",
                  0,
                  1)),
          opt(
              "notReady",
              bool(
                  "not ready while active, as a failing readiness probe: the probe answers 503 and"
                      + " the control plane takes the instances out of every caller's EDS (must be"
                      + " true)")),
          opt(
              "answering",
              string(
                  "with notReady or flap: the status:weight mix the instances answer to every"
                      + " request while not ready, e.g. 503")),
          opt(
              "flap",
              obj(
                  "readiness flapping over the entry's duration (needed): not ready, ready, and"
                      + " again, each flip pushed through the control plane",
                  List.of(),
                  req("notReady", duration("how long each not-ready phase lasts")),
                  req("ready", duration("how long each ready phase between them lasts")))),
          opt(
              "ramp",
              obj(
                  "an error rate or a latency rising (or falling) in equal steps over the entry's"
                      + " duration (needed)",
                  List.of("errors", "latency"),
                  opt(
                      "errors",
                      obj(
                          "a fraction of requests answered with an error status",
                          List.of(),
                          req("from", number("the first step's fraction, 0-1", 0, 1)),
                          req("to", number("the last step's fraction, 0-1", 0, 1)),
                          req(
                              "statuses",
                              string("status:weight pairs like 500:90,200:10, or one status")))),
                  opt(
                      "latency",
                      obj(
                          "every request answered this much later",
                          List.of(),
                          req("from", duration("the first step's latency")),
                          req("to", duration("the last step's latency")))),
                  opt(
                      "steps",
                      integer(
                          "how many equal steps (default: one per second of the duration, at"
                              + " least 2); many steps make the rise linear",
                          2,
                          10_000)))),
          opt(
              "drain",
              bool(
                  "the instances stopped gracefully while active: not ready (endpoints pushed"
                      + " without them), in-flight requests completed, then closed; started and"
                      + " ready again after (must be true)")),
          opt(
              "kill",
              bool(
                  "the instances' processes killed while active (connections refused),"
                      + " restarted on the same address after (must be true)")));

  static final Obj SELECTOR =
      obj(
          "service instances: every instance of a service, of one version, or one instance",
          List.of(),
          req("name", string("the service")),
          opt("version", string("only this version's instances")),
          opt("instance", string("only this instance (pod), e.g. catalog-v1-0")));

  static final Obj LINK =
      obj(
          "a network link a toxic proxy is placed on when the topology is deployed",
          List.of("to", "app"),
          opt(
              "from",
              string("the calling client (default: every caller); only with to, not with app")),
          opt("to", withName(SELECTOR, "caller sidecar -> these instances' sidecars")),
          opt("app", withName(SELECTOR, "these instances' sidecars -> their applications")));

  static final Obj NETWORK_FAULT =
      obj(
          "a toxic on a link, after Toxiproxy's toxics: one effect, a direction and a toxicity",
          List.of(
              "latency",
              "bandwidth",
              "slowClose",
              "timeout",
              "blackhole",
              "reset",
              "slicer",
              "limitData"),
          req("link", LINK),
          opt(
              "direction",
              new Choice(
                  List.of("downstream", "upstream"),
                  "which way the affected bytes flow: downstream (responses, default) or upstream"
                      + " (requests); a reset acts on the whole connection")),
          opt(
              "toxicity",
              number("the fraction of connections the toxic applies to (default 1)", 0, 1)),
          opt("latency", duration("added to every chunk")),
          opt("jitter", duration("a uniform extra delay up to this, with latency (seeded)")),
          opt("bandwidth", integer("bytes per second at most", 1, INF)),
          opt("slowClose", duration("a close reaches the other side this much later")),
          opt("timeout", duration("bytes dropped, the connection closed after this")),
          opt(
              "blackhole",
              bool(
                  "bytes dropped, the connection left open; both ways unless a direction is"
                      + " given (must be true)")),
          opt("reset", bool("connections reset (TCP RST), open and new ones (must be true)")),
          opt(
              "slicer",
              obj(
                  "bytes cut into small pieces released one after the other",
                  List.of(),
                  req("averageSize", integer("mean piece size in bytes", 1, INF)),
                  opt("sizeVariation", integer("deviation in bytes (< averageSize)", 0, INF)),
                  opt("delay", duration("pause between pieces (default 0s)")))),
          opt("limitData", integer("the connection closed after this many bytes", 0, INF)));

  static final Obj PARTITION =
      obj(
          "a partition between a caller and service instances (sidecar to sidecar)",
          List.of(),
          opt("from", string("the calling client (default: every caller)")),
          req("to", withName(SELECTOR, "the instances cut off")),
          opt(
              "mode",
              new Choice(
                  List.of("refuse", "blackhole"),
                  "refuse: connections refused (UF, default); blackhole: bytes dropped (timeouts)")));

  static final Obj SCALE =
      obj(
          "a version of a service scaled while active, back to its declared replicas after;"
              + " endpoints pushed through the control plane, removed instances drained",
          List.of(),
          req("name", string("the service")),
          req("version", string("the version label")),
          req("replicas", integer("replicas while active", 0, 1024)));

  static final Obj CHAOS =
      obj(
          "a planned fault, at an offset from the start of the traffic",
          List.of("service", "proxy", "controlPlaneOutage", "network", "partition", "scale"),
          req(
              "at",
              duration(
                  "when the fault starts, from the start of the traffic (with after: from the"
                      + " event)")),
          opt("duration", duration("how long it lasts (default: until the traffic ends)")),
          opt(
              "after",
              obj(
                  "an event the fault waits for; at then counts from it",
                  List.of("requests", "faultEnds"),
                  opt(
                      "requests",
                      integer(
                          "after this many requests of the traffic completed (closed-loop HTTP1"
                              + " traffic)",
                          1,
                          INF)),
                  opt(
                      "faultEnds",
                      integer(
                          "when the chaos entry with this index (from 0, an earlier one with a"
                              + " duration) ends",
                          0,
                          INF)))),
          opt("service", SERVICE_FAULT),
          opt(
              "proxy",
              obj(
                  "the mesh's own fault injection: Istio YAML applied while active",
                  List.of(),
                  req("name", string("a short label")),
                  req("fault", string("Istio YAML applied when the fault starts")),
                  req("restore", string("Istio YAML applied when it ends")))),
          opt("controlPlaneOutage", bool("istiod stopped while active (must be true)")),
          opt("network", NETWORK_FAULT),
          opt("partition", PARTITION),
          opt("scale", SCALE));

  static final Obj EXPECTATION =
      obj(
          "one expectation, judged from what the requests did",
          List.of(
              "split",
              "share",
              "successRate",
              "attempts",
              "latency",
              "responseFlag",
              "grpcStatus",
              "streamed",
              "overflows",
              "servedBy",
              "ejection",
              "response",
              "mirrored",
              "reachability",
              "peerIdentity",
              "retryOverflows",
              "requestsPerConnection",
              "sameInstancePerKey",
              "metric",
              "stat"),
          opt(
              "split",
              obj(
                  "the traffic to a service splits as given (chi-square goodness of fit)",
                  List.of("byVersion", "byInstance"),
                  req("service", string("the service")),
                  opt("traffic", TRAFFIC_REF),
                  opt("during", DURING),
                  opt("byVersion", shares("expected share per version, summing to 1")),
                  opt("byInstance", shares("expected share per instance (pod), summing to 1")),
                  opt("alpha", ALPHA))),
          opt(
              "share",
              obj(
                  "an instance or version gets significantly less than a share of the service's"
                      + " requests (one-sided exact binomial test: passes when \"its share is at"
                      + " least lessThan\" is rejected at alpha), e.g. an endpoint in its warmup"
                      + " window",
                  List.of("instance", "version"),
                  req("service", string("the service")),
                  opt("instance", string("the instance (pod), e.g. catalog-v1-2")),
                  opt("version", string("the version, e.g. v2")),
                  opt("traffic", TRAFFIC_REF),
                  opt("during", DURING),
                  req(
                      "lessThan",
                      number("the share it must get less of, e.g. 0.3333 of three equals", 0, 1)),
                  opt("alpha", ALPHA))),
          opt(
              "successRate",
              obj(
                  "the fraction of 2xx responses is at least a floor (one-sided binomial test)",
                  List.of(),
                  req("atLeast", number("the floor, 0-1", 0, 1)),
                  opt("alpha", ALPHA))),
          opt(
              "attempts",
              obj(
                  "upstream attempts per request: an exact count or a distribution (chi-square)",
                  List.of("exactly", "neverRetried", "distribution"),
                  opt("traffic", TRAFFIC_REF),
                  opt("exactly", integer("every request made this many attempts", 1, 1000)),
                  opt("neverRetried", bool("every request made one attempt (must be true)")),
                  opt("distribution", shares("attempt count -> expected fraction")),
                  opt("alpha", ALPHA))),
          opt(
              "latency",
              obj(
                  "every request's latency within bounds",
                  List.of(),
                  opt("traffic", TRAFFIC_REF),
                  opt("atLeast", duration("no request faster than this")),
                  req("atMost", duration("no request slower than this")))),
          opt("responseFlag", responseFlag()),
          opt("grpcStatus", grpcStatus()),
          opt(
              "streamed",
              obj(
                  "every successful gRPC call of the traffic gets its first stream answer before"
                      + " the service sent its last (the stream is forwarded as it arrives; give"
                      + " the EchoRequest a count of at least 2 and an interval)",
                  List.of(),
                  req("traffic", TRAFFIC_REF))),
          opt(
              "overflows",
              obj(
                  "requests refused by a circuit breaker (503 UO)",
                  List.of("atLeast", "none"),
                  opt("atLeast", integer("at least this many overflow", 1, INF)),
                  opt("none", bool("no request overflows (must be true)")))),
          opt(
              "retryOverflows",
              obj(
                  "requests whose retry the retry circuit breaker (maxRetries) refused: the"
                      + " upstream's answer returned, flag UO",
                  List.of("atLeast", "none"),
                  opt("traffic", TRAFFIC_REF),
                  opt("atLeast", integer("at least this many had a retry refused", 1, INF)),
                  opt("none", bool("no request had a retry refused (must be true)")))),
          opt(
              "requestsPerConnection",
              obj(
                  "requests per connection to the app, from the echo's x-echo-connection"
                      + " (maxRequestsPerConnection)",
                  List.of("atMost", "reusedAtLeast"),
                  opt("traffic", TRAFFIC_REF),
                  opt("atMost", integer("no connection carries more requests", 1, INF)),
                  opt(
                      "reusedAtLeast",
                      integer("some connection carries at least this many requests", 2, INF)))),
          opt(
              "metric",
              obj(
                  "an Istio standard metric equals a count or what the clients observed (on Envoy,"
                      + " istio_requests_total by its cluster statistics)",
                  List.of("equals", "equalsObserved"),
                  req(
                      "series",
                      string(
                          "a series, e.g."
                              + " istio_requests_total{destination_version=\"v2\",response_code=\"503\"}")),
                  opt("equals", integer("the metric's value", 0, INF)),
                  opt(
                      "equalsObserved",
                      bool(
                          "istio_requests_total equals the requests the clients saw answered so"
                              + " (must be true)")))),
          opt(
              "stat",
              obj(
                  "an Envoy statistic (its /stats name, summed over every proxy) equals a count:"
                      + " the same counter on both data planes",
                  List.of(),
                  req(
                      "name",
                      string(
                          "the statistic's name, * for any characters, e.g."
                              + " http.inbound_*.rbac.istio_dry_run_allow_.shadow_denied")),
                  req("equals", integer("the statistic's value", 0, INF)))),
          opt(
              "servedBy",
              obj(
                  "an instance (pod) serves a bounded number of requests",
                  List.of(),
                  req("instance", string("the instance, e.g. catalog-v1-0")),
                  req("atMost", integer("at most this many requests", 0, INF)))),
          opt(
              "sameInstancePerKey",
              obj(
                  "consistent-hash affinity: request i carries hash key i mod keys (a traffic with"
                      + " that many variants); every key always reaches the same instance",
                  List.of(),
                  opt("traffic", TRAFFIC_REF),
                  req("keys", integer("the number of distinct hash keys", 1, INF)),
                  opt(
                      "atLeastInstances",
                      integer(
                          "the keys together reach at least this many instances (default 1)",
                          1,
                          INF)))),
          opt(
              "ejection",
              obj(
                  "an instance is ejected by its first 5xx for a window, then re-admitted",
                  List.of(),
                  req("instance", string("the instance, e.g. catalog-v1-0")),
                  req("lastsAtLeast", duration("it serves nothing for at least this long")),
                  req("readmittedWithin", duration("it serves again no later than this")),
                  req("alpha", number("significance level of absence by chance", 0, 1)))),
          opt("response", response()),
          opt("mirrored", mirrored()),
          opt(
              "reachability",
              new ListOf(
                  obj(
                      "one caller/callee pair and how its calls end",
                      List.of(),
                      req("from", string("the calling client")),
                      req("to", string("the called service")),
                      req(
                          "expect",
                          new Choice(
                              ReachabilityExpectation.OUTCOMES,
                              "allowed (every request reached the app with a 2xx) or how each"
                                  + " was refused, none reaching the app"))),
                  "who can call whom, judged exactly per request: the reachability matrix")),
          opt(
              "peerIdentity",
              obj(
                  "every request that reached an app carried the caller's SPIFFE ID in the"
                      + " x-forwarded-client-cert the callee's sidecar set",
                  List.of(),
                  opt("traffic", TRAFFIC_REF),
                  req(
                      "principal",
                      string(
                          "the caller's identity, spiffe://<trust-domain>/ns/<ns>/sa/<sa>, or"
                              + " none (plaintext: no x-forwarded-client-cert)")),
                  opt(
                      "distinctCertificatesAtLeast",
                      integer(
                          "the callee saw at least this many distinct client certificates"
                              + " (rotation)",
                          1,
                          INF)))));

  static final Obj TOPOLOGY = topology();

  static final Obj SECURITY =
      obj(
          "the mesh CA and mutual TLS (Istio's defaults when empty: {}): workload certificates"
              + " over SDS, auto mTLS, PeerAuthentication; the service account of each workload;"
              + " the clients without a sidecar",
          List.of(),
          opt("trustDomain", string("the SPIFFE trust domain (default cluster.local)")),
          opt(
              "workloadCertTtl",
              duration("workload certificate lifetime, rotated at half of it (default 24h)")),
          opt("autoMtls", bool("MeshConfig enableAutoMtls (default true)")),
          opt(
              "extensionProviders",
              new ListOf(
                  obj(
                      "a MeshConfig extension provider",
                      List.of(),
                      req("name", string("the name an AuthorizationPolicy's provider.name gives")),
                      req(
                          "envoyExtAuthzHttp",
                          obj(
                              "an HTTP ext_authz service (Istio's"
                                  + " EnvoyExternalAuthorizationHttpProvider)",
                              List.of(),
                              req(
                                  "service",
                                  string(
                                      "[<namespace>/]<host> of the provider's Service, e.g."
                                          + " ext-authz.default.svc.cluster.local")),
                              req("port", integer("the provider's service port", 1, 65535)),
                              opt("pathPrefix", string("put before the checked request's path")),
                              opt("timeout", duration("the check's timeout (default 600s)")),
                              opt("failOpen", bool("let requests through when the provider fails")),
                              opt(
                                  "statusOnError",
                                  string("the status when the provider fails (default \"403\")")),
                              opt(
                                  "includeRequestHeadersInCheck",
                                  new ListOf(
                                      string("a header name"),
                                      "request headers sent to the provider")),
                              opt(
                                  "includeAdditionalHeadersInCheck",
                                  new MapOf(
                                      string("its value"), "headers added to the check request")),
                              opt(
                                  "headersToUpstreamOnAllow",
                                  new ListOf(
                                      string("a header name"),
                                      "the provider's headers set on an allowed request")),
                              opt(
                                  "headersToDownstreamOnDeny",
                                  new ListOf(
                                      string("a header name"),
                                      "the provider's headers in a denial to the client")),
                              opt(
                                  "headersToDownstreamOnAllow",
                                  new ListOf(
                                      string("a header name"),
                                      "the provider's headers added to an allowed response"))))),
                  "MeshConfig extensionProviders: the ext_authz services AuthorizationPolicies"
                      + " with action CUSTOM name")),
          opt(
              "serviceAccounts",
              new MapOf(
                  string("a Kubernetes service account name"),
                  "workload -> service account: a service (catalog), a service version"
                      + " (catalog/v2, wins over the service) or a client; others run as"
                      + " default")),
          opt(
              "clientsWithoutSidecar",
              new ListOf(
                  string("a declared client"),
                  "clients without a sidecar: plaintext, no identity, straight to an instance's"
                      + " inbound listener")));

  static final Obj JWT =
      obj(
          "end-user JWTs the traffic carries: issuers with their private keys and the tokens"
              + " minted when the scenario is read; a traffic header value ${jwt.<token>} is"
              + " replaced by the token",
          List.of(),
          req(
              "issuers",
              new ListOf(
                  obj(
                      "an issuer",
                      List.of(),
                      req("name", string("how tokens name it")),
                      req("issuer", string("its iss, e.g. testing@secure.istio.io")),
                      req(
                          "key",
                          string(
                              "a file (relative to this scenario) holding its RSA private key as"
                                  + " a JSON Web Key with a kid; the RequestAuthentication carries"
                                  + " the public half"))),
                  "the issuers")),
          req(
              "tokens",
              new ListOf(
                  obj(
                      "a token, minted when the scenario is read",
                      List.of(),
                      req("name", string("how traffic names it: ${jwt.<name>}")),
                      req("issuer", string("the issuer (its iss and kid)")),
                      opt("subject", string("sub")),
                      opt("audiences", new ListOf(string("an audience"), "aud")),
                      opt("claims", new MapOf(string("a string value"), "more claims")),
                      opt("expiresIn", duration("exp after now (default 1h)")),
                      opt("expired", bool("exp one hour ago instead (default false)")),
                      opt(
                          "signedBy",
                          string(
                              "another issuer whose key signs it: a bad signature (default: its"
                                  + " own)"))),
                  "the tokens")));

  static final Obj METADATA =
      obj(
          "what the scenario is for; the conformance catalogue reads its entries from it",
          List.of(),
          opt("id", string("a short unique name, e.g. mesh-http-route-weight-90-10")),
          opt("feature", string("the mesh feature it proves, e.g. MeshHTTPRouteWeight")),
          opt("description", string("what it checks, in a sentence or two")),
          opt("specReference", string("the Istio/Envoy documentation it encodes")),
          opt(
              "source",
              string(
                  "the walk-through it reproduces, e.g. a book chapter or Istio sample, with what"
                      + " was changed and why")));

  static final Obj SCENARIO =
      obj(
          "a Meshproof scenario: topology, Istio configuration, traffic, chaos and expectations",
          List.of(),
          req("name", string("a short description, shown in reports")),
          opt("metadata", METADATA),
          opt("istioVersion", string("the Istio release the mesh emulates, e.g. 1.32 (default)")),
          opt(
              "compatibilityVersion",
              string(
                  "the older Istio release whose behaviour the emulated one follows, as Istio's"
                      + " compatibilityVersion, e.g. 1.28 (default: the emulated release)")),
          opt("seed", integer("seed of every random decision (default 1)", -INF, INF)),
          opt(
              "outboundTrafficPolicy",
              obj(
                  "the mesh's outboundTrafficPolicy (MeshConfig) for hosts outside the registry",
                  List.of(),
                  req(
                      "mode",
                      new Choice(
                          List.of("ALLOW_ANY", "REGISTRY_ONLY"),
                          "ALLOW_ANY (Istio's default): passed through, on loopback only;"
                              + " REGISTRY_ONLY: answered 502")))),
          opt("topology", TOPOLOGY),
          opt("services", new ListOf(SERVICE, "services with versions")),
          opt(
              "clients",
              new ListOf(
                  string("a client workload name"),
                  "client workloads (besides those the topology manifests declare)")),
          opt("security", SECURITY),
          opt(
              "proxyFiles",
              new MapOf(
                  string("a file relative to this scenario file"),
                  "absolute path in every sidecar -> the file mounted there (a volume mounted in"
                      + " the proxy): the certificates a DestinationRule's tls names")),
          opt("jwt", JWT),
          opt(
              "localities",
              new MapOf(
                  string("region/zone/subzone, zone and subzone optional, e.g. us-east/zone-a"),
                  "workload -> where it runs: a service (catalog), a service version"
                      + " (catalog/v2, wins over the service) or a client; its pods get the"
                      + " topology.istio.io/locality label locality load balancing reads")),
          opt("istio", new ListOf(ISTIO, "Istio configuration")),
          req("traffic", new ListOf(TRAFFIC, "traffic blocks, sent in order")),
          opt("chaos", new ListOf(CHAOS, "the chaos timeline (an experiment's method)")),
          opt("steadyState", steadyState()),
          opt("rollbacks", new ListOf(rollback(), "an experiment's rollbacks, always run")),
          opt("expect", new ListOf(EXPECTATION, "expectations")));

  private ScenarioSchema() {}

  /** A chaos experiment's steady-state hypothesis: expectations over a probe window. */
  private static Obj steadyState() {
    return obj(
        "a chaos experiment's steady-state hypothesis: the probe traffic is sent before the"
            + " chaos and after it, and the expectations must hold over each window",
        List.of(),
        req("probe", TRAFFIC),
        req("expect", new ListOf(EXPECTATION, "what must hold over each probe window")));
  }

  /** A chaos experiment's rollback: one action run after the experiment whatever happened. */
  private static Obj rollback() {
    return obj(
        "an action that puts the system back after the experiment; runs also when it failed",
        List.of("restoreService", "istio"),
        opt(
            "restoreService",
            obj(
                "service instances back to a healthy, ready behaviour",
                List.of(),
                req("name", string("the service")),
                opt("version", string("only this version's instances")),
                opt("instance", string("only this instance (pod), e.g. catalog-v1-0")))),
        opt("istio", ISTIO));
  }

  /** The gRPC status calls end with: every call, none, or a share. */
  private static Obj grpcStatus() {
    return obj(
        "every gRPC call (or a share of them) ends with this gRPC status",
        List.of(),
        req(
            "code",
            new Choice(
                dev.meshproof.scenario.traffic.GrpcCalls.STATUS_NAMES,
                "the gRPC status name, e.g. UNAVAILABLE")),
        opt("traffic", TRAFFIC_REF),
        opt(
            "fraction",
            number(
                "the share of calls with the status (default 1; 0 and 1 exact, else an exact"
                    + " binomial test)",
                0,
                1)),
        opt("alpha", ALPHA));
  }

  /** Envoy response flags, the fault filter's FI and DI with their status, delay and share. */
  private static Obj responseFlag() {
    return obj(
        "every request (FI, DI: a share of them) ends with this Envoy response flag",
        List.of(),
        req(
            "flag",
            new Choice(ResponseFlagExpectation.flags(), "the Envoy response flag a client sees")),
        opt("traffic", TRAFFIC_REF),
        opt("status", integer("FI only (required): the abort's HTTP status", 200, 599)),
        opt("delayOf", duration("DI only: each delayed request took at least this long")),
        opt(
            "fraction",
            number(
                "FI, DI: the share of requests with the flag (default 1; 0 and 1 exact, else an"
                    + " exact two-sided binomial test)",
                0,
                1)),
        opt("alpha", ALPHA));
  }

  /** The exact answer every request gets, and what the serving echo received. */
  private static Obj response() {
    return obj(
        "every request is answered exactly so (status, headers, body, what the echo received)",
        List.of(),
        opt("traffic", TRAFFIC_REF),
        opt(
            "outcome",
            new Choice(
                ResponseExpectation.OUTCOMES,
                "how every request ended: response (default), or refused: no response, the"
                    + " connection closed or reset before any (a failed TLS handshake, no filter"
                    + " chain)")),
        opt("status", integer("the response status", 100, 599)),
        opt("headers", new MapOf(string("its first value"), "response headers and their values")),
        opt("headersAbsent", new ListOf(string("a header name"), "response headers not present")),
        opt("body", string("the body of a non-2xx answer (a local reply's text)")),
        opt(
            "received",
            obj(
                "what the serving echo received (it reports path, authority and x- headers)",
                List.of(),
                opt("path", string("the path with query")),
                opt("authority", string("the authority (Host)")),
                opt(
                    "headers",
                    new MapOf(string("its value"), "x- request headers and their values")),
                opt(
                    "headersAbsent",
                    new ListOf(string("an x- header name"), "x- request headers not received")))));
  }

  /** Mirror copies (Envoy shadow requests) a service's instances journaled. */
  private static Obj mirrored() {
    return obj(
        "the share of requests copied to a mirror target, at most one copy each",
        List.of("all", "none", "fraction"),
        req("service", string("the mirror target service")),
        opt("version", string("only copies at this version's instances count")),
        opt("traffic", TRAFFIC_REF),
        opt("all", bool("every request copied (must be true)")),
        opt("none", bool("no request copied (must be true)")),
        opt(
            "fraction",
            number("the share copied, judged by an exact two-sided binomial test", 0, 1)),
        opt("alpha", ALPHA),
        opt("authority", string("every copy carries exactly this Host, e.g. catalog-shadow")));
  }

  /** Kubernetes manifests as the topology: services, versions and clients from Deployments. */
  private static Obj topology() {
    return obj(
        "Kubernetes manifests as kubectl apply -f takes them (e.g. Bookinfo's bookinfo.yaml):"
            + " each Service with the Deployments it selects is a service whose versions are their"
            + " version labels; a Deployment no Service selects is a client named by its app label",
        List.of(),
        req(
            "manifests",
            new ListOf(
                string("path of a Kubernetes manifest file, relative to the scenario file"),
                "manifest files, applied in order")));
  }

  /** The JSON Schema of scenario files (draft 2020-12), as published at {@link #PUBLISHED_PATH}. */
  public static String jsonSchema() {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
    root.put("$id", "https://meshproof.dev/schema/scenario.schema.json");
    root.put("title", "Meshproof scenario");
    root.putAll(SCENARIO.jsonSchema());
    try {
      return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root)
          + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render the scenario JSON Schema", e);
    }
  }

  private static Obj withName(Obj shape, String description) {
    return new Obj(shape.fields(), shape.exactlyOne(), description);
  }

  private static Field req(String name, Shape shape) {
    return new Field(name, shape, true);
  }

  private static Field opt(String name, Shape shape) {
    return new Field(name, shape, false);
  }

  private static Obj obj(String description, List<String> exactlyOne, Field... fields) {
    return new Obj(Arrays.asList(fields), exactlyOne, description);
  }

  private static Shape string(String description) {
    return new Scalar(ScalarKind.STRING, description, -INF, INF);
  }

  private static Shape bool(String description) {
    return new Scalar(ScalarKind.BOOLEAN, description, -INF, INF);
  }

  private static Shape duration(String description) {
    return new Scalar(ScalarKind.DURATION, description, -INF, INF);
  }

  private static Shape integer(String description, double min, double max) {
    return new Scalar(ScalarKind.INTEGER, description, min, max);
  }

  private static Shape number(String description, double min, double max) {
    return new Scalar(ScalarKind.NUMBER, description, min, max);
  }

  private static Shape shares(String description) {
    return new MapOf(number("a fraction, 0-1", 0, 1), description);
  }
}
