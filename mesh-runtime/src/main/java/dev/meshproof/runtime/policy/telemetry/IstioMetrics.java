package dev.meshproof.runtime.policy.telemetry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Istio's standard metrics as one proxy's stats filter keeps them ({@code istio_requests_total},
 * {@code istio_request_duration_milliseconds}, {@code istio_request_bytes}, {@code
 * istio_response_bytes}, {@code istio_tcp_sent_bytes_total}, {@code
 * istio_tcp_received_bytes_total}, {@code istio_tcp_connections_opened_total}, {@code
 * istio_tcp_connections_closed_total}), one series per label set, rendered as the proxy's {@code
 * /stats/prometheus} prints them. Pure bookkeeping: the proxy hands in finished exchanges as
 * values; nothing here reads a clock or a connection.
 *
 * <p>Histograms use Envoy's default buckets (0.5 ms to 3,600,000), which Istio keeps for these
 * metrics; the sums are exact here, where Envoy's are the approximate sums of its log-linear
 * histograms.
 *
 * @see <a href="https://istio.io/latest/docs/reference/config/metrics/">Istio standard metrics</a>
 */
public final class IstioMetrics {
  /** Envoy's default histogram buckets ({@code Stats::SupportedBuckets}), Istio's for these. */
  public static final List<Double> BUCKETS =
      List.of(
          0.5, 1.0, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 2500.0, 5000.0, 10000.0,
          30000.0, 60000.0, 300000.0, 600000.0, 1800000.0, 3600000.0);

  public static final String REQUESTS_TOTAL = "istio_requests_total";
  public static final String REQUEST_DURATION = "istio_request_duration_milliseconds";
  public static final String REQUEST_BYTES = "istio_request_bytes";
  public static final String RESPONSE_BYTES = "istio_response_bytes";
  public static final String TCP_SENT_BYTES = "istio_tcp_sent_bytes_total";
  public static final String TCP_RECEIVED_BYTES = "istio_tcp_received_bytes_total";
  public static final String TCP_OPENED = "istio_tcp_connections_opened_total";
  public static final String TCP_CLOSED = "istio_tcp_connections_closed_total";

  /** The order metrics are printed in: Istio's HTTP metrics, then its TCP metrics. */
  private static final List<String> ORDER =
      List.of(
          REQUESTS_TOTAL,
          REQUEST_DURATION,
          REQUEST_BYTES,
          RESPONSE_BYTES,
          TCP_SENT_BYTES,
          TCP_RECEIVED_BYTES,
          TCP_OPENED,
          TCP_CLOSED);

  private final Map<String, Map<Map<String, String>, LongAdder>> counters =
      new ConcurrentHashMap<>();
  private final Map<String, Map<Map<String, String>, Histogram>> histograms =
      new ConcurrentHashMap<>();

  /** Which proxy reports: the client's ({@code source}) or the server's ({@code destination}). */
  public enum Reporter {
    SOURCE("source"),
    DESTINATION("destination");

    private final String label;

    Reporter(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  /**
   * Who talked to whom, as the labels every standard metric carries.
   *
   * @param reporter the reporting side
   * @param source the calling workload
   * @param sourcePrincipal the caller's SPIFFE id, or {@code unknown} without mutual TLS
   * @param destination the called workload
   * @param destinationPrincipal the callee's SPIFFE id, or {@code unknown}
   * @param destinationService the service host ({@code reviews.default.svc.cluster.local})
   * @param securityPolicy {@code mutual_tls}, {@code none}, or {@code unknown} (a source reporter)
   */
  public record Peers(
      Reporter reporter,
      IstioWorkload source,
      String sourcePrincipal,
      IstioWorkload destination,
      String destinationPrincipal,
      String destinationService,
      String securityPolicy) {

    /**
     * The labels common to HTTP and TCP metrics, in the order Istio prints them, up to {@code
     * request_protocol}.
     */
    Map<String, String> labels(String protocol) {
      Map<String, String> labels = new LinkedHashMap<>();
      labels.put("reporter", reporter.label());
      labels.put("source_workload", source.name());
      labels.put("source_canonical_service", source.canonicalService());
      labels.put("source_canonical_revision", source.canonicalRevision());
      labels.put("source_workload_namespace", source.namespace());
      labels.put("source_principal", sourcePrincipal);
      labels.put("source_app", source.app());
      labels.put("source_version", source.version());
      labels.put("source_cluster", source.cluster());
      labels.put("destination_workload", destination.name());
      labels.put("destination_workload_namespace", destination.namespace());
      labels.put("destination_principal", destinationPrincipal);
      labels.put("destination_app", destination.app());
      labels.put("destination_version", destination.version());
      labels.put("destination_service", destinationService);
      labels.put("destination_canonical_service", destination.canonicalService());
      labels.put("destination_canonical_revision", destination.canonicalRevision());
      labels.put("destination_service_name", serviceName(destinationService));
      labels.put("destination_service_namespace", serviceNamespace(destinationService));
      labels.put("destination_cluster", destination.cluster());
      labels.put("request_protocol", protocol);
      return labels;
    }

    /** {@code reviews} of {@code reviews.default.svc.cluster.local}; the host when not a svc. */
    static String serviceName(String host) {
      int dot = host.indexOf('.');
      return dot < 0 ? host : host.substring(0, dot);
    }

    /** {@code default} of {@code reviews.default.svc.cluster.local}; {@code unknown} otherwise. */
    static String serviceNamespace(String host) {
      String[] parts = host.split("\\.");
      return parts.length >= 3 && parts[2].equals("svc") ? parts[1] : IstioWorkload.UNKNOWN_VALUE;
    }
  }

  /**
   * Counts one finished HTTP or gRPC request: {@code istio_requests_total} and the three
   * histograms.
   *
   * @param protocol {@code http} or {@code grpc}
   * @param grpcStatus the gRPC status code as a number, or empty for a non-gRPC request (Istio
   *     prints the label empty then)
   * @param responseFlags Envoy's {@code %RESPONSE_FLAGS%} ({@code -} when none)
   */
  public void recordRequest(
      Peers peers,
      String protocol,
      int responseCode,
      String grpcStatus,
      String responseFlags,
      long requestBytes,
      long responseBytes,
      Duration duration) {
    RequestKey requestKey =
        new RequestKey(peers, protocol, responseCode, grpcStatus, responseFlags);
    RequestSeries series = requestSeries.get(requestKey);
    if (series == null) {
      series = requestSeries.computeIfAbsent(requestKey, this::newRequestSeries);
    }
    series.requests().increment();
    series.duration().observe(duration.toNanos() / 1_000_000.0);
    series.requestBytes().observe(requestBytes);
    series.responseBytes().observe(responseBytes);
  }

  /**
   * The label values of one request series, hashed once per request: building the label map and
   * hashing it for each of the four metrics was a tenth of the sidecar's CPU per request (profiled,
   * issue PERFORMANCE).
   */
  private record RequestKey(
      Peers peers, String protocol, int responseCode, String grpcStatus, String responseFlags) {}

  /** The four instruments of one request series, registered under its label set. */
  private record RequestSeries(
      LongAdder requests, Histogram duration, Histogram requestBytes, Histogram responseBytes) {}

  private final Map<RequestKey, RequestSeries> requestSeries = new ConcurrentHashMap<>();

  private RequestSeries newRequestSeries(RequestKey requestKey) {
    Map<String, String> labels = requestKey.peers().labels(requestKey.protocol());
    labels.put("response_code", String.valueOf(requestKey.responseCode()));
    labels.put("grpc_response_status", requestKey.grpcStatus());
    labels.put("response_flags", requestKey.responseFlags());
    labels.put("connection_security_policy", requestKey.peers().securityPolicy());
    Map<String, String> key = Collections.unmodifiableMap(labels);
    return new RequestSeries(
        counter(REQUESTS_TOTAL, key),
        histogram(REQUEST_DURATION, key),
        histogram(REQUEST_BYTES, key),
        histogram(RESPONSE_BYTES, key));
  }

  /** Counts a TCP connection opened through the proxy (its upstream connected). */
  public void tcpOpened(Peers peers) {
    counter(TCP_OPENED, tcpKey(peers, NO_FLAGS)).increment();
  }

  /** Counts bytes the proxy sent downstream on a TCP connection (the response direction). */
  public void tcpSent(Peers peers, long bytes) {
    counter(TCP_SENT_BYTES, tcpKey(peers, NO_FLAGS)).add(bytes);
  }

  /**
   * Counts bytes the proxy received from downstream on a TCP connection (the request direction).
   */
  public void tcpReceived(Peers peers, long bytes) {
    counter(TCP_RECEIVED_BYTES, tcpKey(peers, NO_FLAGS)).add(bytes);
  }

  /**
   * Counts a TCP connection closed, with its response flags ({@code UF}, {@code UH}, or {@code -}).
   * A connection refused before it reached an upstream is counted opened here too, as the stats
   * filter counts every connection the listener accepted.
   */
  public void tcpClosed(Peers peers, String responseFlags, boolean countedOpen) {
    Map<String, String> key = tcpKey(peers, responseFlags);
    if (!countedOpen) {
      counter(TCP_OPENED, key).increment();
    }
    counter(TCP_CLOSED, key).increment();
  }

  /** Envoy's {@code %RESPONSE_FLAGS%} when there are none. */
  public static final String NO_FLAGS = "-";

  private static Map<String, String> tcpKey(Peers peers, String responseFlags) {
    Map<String, String> labels = peers.labels("tcp");
    labels.put("response_flags", responseFlags);
    labels.put("connection_security_policy", peers.securityPolicy());
    return Collections.unmodifiableMap(labels);
  }

  /**
   * The sum of a counter (or a histogram's count) over every series whose labels contain {@code
   * selector}: {@code istio_requests_total{destination_version="v2",response_code="503"}}.
   */
  public long sum(String metric, Map<String, String> selector) {
    long total = 0;
    for (var series : counters.getOrDefault(metric, Map.of()).entrySet()) {
      if (series.getKey().entrySet().containsAll(selector.entrySet())) {
        total += series.getValue().sum();
      }
    }
    for (var series : histograms.getOrDefault(metric, Map.of()).entrySet()) {
      if (series.getKey().entrySet().containsAll(selector.entrySet())) {
        total += series.getValue().count();
      }
    }
    return total;
  }

  /** The label sets of {@code metric}'s series, in no particular order. */
  public List<Map<String, String>> series(String metric) {
    List<Map<String, String>> out = new ArrayList<>();
    out.addAll(counters.getOrDefault(metric, Map.of()).keySet());
    out.addAll(histograms.getOrDefault(metric, Map.of()).keySet());
    return out;
  }

  /** The metrics in Prometheus' text exposition format, as Envoy's {@code /stats/prometheus}. */
  public String prometheus() {
    StringBuilder out = new StringBuilder();
    for (String metric : ORDER) {
      Map<Map<String, String>, LongAdder> counter = counters.get(metric);
      if (counter != null && !counter.isEmpty()) {
        out.append("# TYPE ").append(metric).append(" counter\n");
        for (var series : sorted(counter).entrySet()) {
          out.append(metric)
              .append(labelText(series.getKey(), null))
              .append(' ')
              .append(series.getValue().sum())
              .append('\n');
        }
      }
      Map<Map<String, String>, Histogram> histogram = histograms.get(metric);
      if (histogram != null && !histogram.isEmpty()) {
        out.append("# TYPE ").append(metric).append(" histogram\n");
        for (var series : sorted(histogram).entrySet()) {
          series.getValue().render(metric, series.getKey(), out);
        }
      }
    }
    return out.toString();
  }

  private static <V> Map<Map<String, String>, V> sorted(Map<Map<String, String>, V> series) {
    Map<String, Map<String, String>> byText = new TreeMap<>();
    series.keySet().forEach(labels -> byText.put(labelText(labels, null), labels));
    Map<Map<String, String>, V> out = new LinkedHashMap<>();
    byText.values().forEach(labels -> out.put(labels, series.get(labels)));
    return out;
  }

  private LongAdder counter(String metric, Map<String, String> key) {
    return counters
        .computeIfAbsent(metric, m -> new ConcurrentHashMap<>())
        .computeIfAbsent(key, k -> new LongAdder());
  }

  private Histogram histogram(String metric, Map<String, String> key) {
    return histograms
        .computeIfAbsent(metric, m -> new ConcurrentHashMap<>())
        .computeIfAbsent(key, k -> new Histogram());
  }

  static String labelText(Map<String, String> labels, String le) {
    StringBuilder out = new StringBuilder("{");
    labels.forEach(
        (name, value) -> {
          if (out.length() > 1) {
            out.append(',');
          }
          out.append(name).append("=\"").append(escape(value)).append('"');
        });
    if (le != null) {
      out.append(out.length() > 1 ? "," : "").append("le=\"").append(le).append('"');
    }
    return out.append('}').toString();
  }

  private static String escape(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  /** Envoy's {@code {:.32g}}: integers without a fraction or exponent. */
  static String number(double value) {
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return Long.toString((long) value);
    }
    return Double.toString(value);
  }

  /** One series' cumulative buckets, count and sum. */
  /** {@link #BUCKETS} unboxed: every observation walks them. */
  private static final double[] BUCKET_BOUNDS =
      BUCKETS.stream().mapToDouble(Double::doubleValue).toArray();

  private static final class Histogram {
    private final long[] buckets = new long[BUCKETS.size()];
    private long count;
    private double sum;

    synchronized void observe(double value) {
      count++;
      sum += value;
      for (int i = 0; i < buckets.length; i++) {
        if (value <= BUCKET_BOUNDS[i]) {
          buckets[i]++;
        }
      }
    }

    synchronized long count() {
      return count;
    }

    synchronized void render(String metric, Map<String, String> labels, StringBuilder out) {
      for (int i = 0; i < buckets.length; i++) {
        out.append(metric)
            .append("_bucket")
            .append(labelText(labels, number(BUCKETS.get(i))))
            .append(' ')
            .append(buckets[i])
            .append('\n');
      }
      out.append(metric)
          .append("_bucket")
          .append(labelText(labels, "+Inf"))
          .append(' ')
          .append(count)
          .append('\n');
      out.append(metric)
          .append("_sum")
          .append(labelText(labels, null))
          .append(' ')
          .append(number(sum))
          .append('\n');
      out.append(metric)
          .append("_count")
          .append(labelText(labels, null))
          .append(' ')
          .append(count)
          .append('\n');
    }
  }
}
