package dev.meshproof.runtime.proxy;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.meshproof.runtime.policy.route.RequestHeaders;
import dev.meshproof.runtime.policy.telemetry.IstioWorkload;
import dev.meshproof.runtime.proxy.ProxyConfig.HttpConnectionManagerConfig;
import dev.meshproof.runtime.proxy.ProxyConfig.HttpFilterConfig;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * istio-proxy's {@code peer_metadata} HTTP filter ({@code istio.metadata_exchange}, {@code
 * source/extensions/filters/http/peer_metadata/filter.cc}) with its {@code istio_headers} methods,
 * as istiod configures it on sidecars: on the outbound listener it sends this proxy's metadata to
 * the upstream in the request ({@code MXPropagationMethod::inject}: {@code
 * x-envoy-peer-metadata-id} the node id, {@code x-envoy-peer-metadata} the base64 of the
 * deterministic serialization of a {@code google.protobuf.Struct} of the node metadata); on the
 * inbound listener it discovers the caller from those headers ({@code MXMethod::derivePeerInfo})
 * and removes them, so the app never sees them. The discovered peer gives Istio's metrics their
 * {@code source_*} labels ({@link #downstreamPeer}).
 *
 * <p>Differences, documented in docs/telemetry.md: the response direction (the callee's metadata
 * sent back, the caller discovering it) is not run, since the caller's metrics take the callee from
 * the endpoint's EDS metadata; {@code workload_discovery} has no provider in a sidecar (as
 * istio-proxy without ambient's WDS), so it discovers nothing. The metadata sent is the node's
 * ({@code NAME}, {@code NAMESPACE}, {@code LABELS}, {@code ISTIO_VERSION}) plus the {@code
 * WORKLOAD_NAME} and {@code CLUSTER_ID} istio-agent adds to it.
 */
final class MetadataExchangeFilter implements HttpFilter {
  static final String HEADER = "x-envoy-peer-metadata";
  static final String HEADER_ID = "x-envoy-peer-metadata-id";

  static final String TYPED_STRUCT = "type.googleapis.com/xds.type.v3.TypedStruct";
  static final String CONFIG_TYPE = "type.googleapis.com/io.istio.http.peer_metadata.Config";

  private static final Set<String> METHOD_LISTS =
      Set.of(
          "downstream_discovery",
          "downstream_propagation",
          "upstream_discovery",
          "upstream_propagation");

  /** This proxy's metadata as the filter sends it: the node id and the encoded struct. */
  record Local(String id, String value) {
    /** No metadata to send (a chain built without a proxy identity, as in unit tests). */
    static final Local NONE = new Local("", "");

    /** {@code node}'s metadata, with the workload name and cluster id of {@code self}. */
    static Local of(Node node, IstioWorkload self) {
      Struct.Builder metadata = node.getMetadata().toBuilder();
      metadata.putFields("WORKLOAD_NAME", string(self.name()));
      metadata.putFields("CLUSTER_ID", string(self.cluster()));
      byte[] bytes;
      try {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        com.google.protobuf.CodedOutputStream coded =
            com.google.protobuf.CodedOutputStream.newInstance(out);
        coded.useDeterministicSerialization();
        metadata.build().writeTo(coded);
        coded.flush();
        bytes = out.toByteArray();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException("cannot serialize the node metadata", e);
      }
      return new Local(node.getId(), Base64.getEncoder().encodeToString(bytes));
    }
  }

  private final HttpFilterConfig.MetadataExchange config;
  private final Local local;

  MetadataExchangeFilter(HttpFilterConfig.MetadataExchange config, Local local) {
    this.config = config;
    this.local = local;
  }

  @Override
  public FilterDecision onRequest(RequestContext request) {
    var downstream = request.downstream().headers();
    RequestHeaders headers = request.headers();
    boolean propagates = config.upstreamPropagation() && !local.value().isEmpty();
    if (!propagates
        && !(config.downstreamDiscovery()
            && (headers.headers().containsKey(HEADER)
                || headers.headers().containsKey(HEADER_ID)
                || downstream.contains(HEADER)
                || downstream.contains(HEADER_ID)))) {
      // Nothing to remove or add (a request from a caller without a sidecar): no copy of the
      // request's headers.
      return FilterDecision.CONTINUE;
    }
    Map<String, List<String>> changed = new LinkedHashMap<>(headers.headers());
    boolean any = false;
    if (config.downstreamDiscovery()) {
      // Discovered at write time from the request as it arrived (downstreamPeer); removed here.
      for (String name : List.of(HEADER, HEADER_ID)) {
        if (changed.remove(name) != null) {
          any = true;
        }
        downstream.remove(name);
      }
    }
    if (propagates) {
      downstream.set(HEADER_ID, local.id());
      downstream.set(HEADER, local.value());
      changed.put(HEADER_ID, new ArrayList<>(List.of(local.id())));
      changed.put(HEADER, new ArrayList<>(List.of(local.value())));
      any = true;
    }
    if (!any) {
      return FilterDecision.CONTINUE;
    }
    return new FilterDecision.ContinueWith(
        request.withJwt(
            new RequestHeaders(headers.method(), headers.path(), headers.authority(), changed),
            request.jwtPayloads()));
  }

  /**
   * The caller the connection manager's metadata exchange filter discovered for {@code request} (as
   * it arrived, before the filter removed the headers): empty without such a filter, without the
   * header, or when it does not decode (istio-proxy then has no peer either).
   */
  static Optional<IstioWorkload> downstreamPeer(
      Optional<HttpConnectionManagerConfig> hcm, RequestContext request) {
    if (hcm.isEmpty() || !discoversDownstream(hcm.get().httpFilters())) {
      return Optional.empty();
    }
    return request.headers().first(HEADER).flatMap(MetadataExchangeFilter::knownPeer);
  }

  private static boolean discoversDownstream(List<HttpFilterConfig> filters) {
    for (HttpFilterConfig filter : filters) {
      if (filter instanceof HttpFilterConfig.MetadataExchange mx && mx.downstreamDiscovery()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Header values already decoded, at most {@link #KNOWN_PEERS_LIMIT}: a caller's sidecar sends the
   * same value on every request, and decoding it (base64, a protobuf Struct, the workload's labels)
   * per request was an eighth of the sidecar's allocation under load. {@link #decodePeer} is a
   * function of the value alone, so a remembered answer is the answer.
   */
  private static final Map<String, Optional<IstioWorkload>> KNOWN_PEERS =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** Callers a sidecar hears from at once, with room to spare; past it the memory starts over. */
  static final int KNOWN_PEERS_LIMIT = 256;

  /** How many header values are remembered now (for tests). */
  static int knownPeersCount() {
    return KNOWN_PEERS.size();
  }

  /** {@link #decodePeer}, remembered. */
  static Optional<IstioWorkload> knownPeer(String value) {
    Optional<IstioWorkload> known = KNOWN_PEERS.get(value);
    if (known != null) {
      return known;
    }
    Optional<IstioWorkload> peer = decodePeer(value);
    if (KNOWN_PEERS.size() >= KNOWN_PEERS_LIMIT) {
      KNOWN_PEERS.clear();
    }
    KNOWN_PEERS.put(value, peer);
    return peer;
  }

  /** The workload a {@code x-envoy-peer-metadata} value describes. */
  static Optional<IstioWorkload> decodePeer(String value) {
    Struct metadata;
    try {
      metadata = Struct.parseFrom(Base64.getDecoder().decode(value.strip()));
    } catch (IllegalArgumentException | InvalidProtocolBufferException e) {
      return Optional.empty();
    }
    Map<String, Value> fields = metadata.getFieldsMap();
    Map<String, String> labels = new LinkedHashMap<>();
    Value labelValue = fields.get("LABELS");
    if (labelValue != null && labelValue.hasStructValue()) {
      labelValue
          .getStructValue()
          .getFieldsMap()
          .forEach((k, v) -> labels.put(k, v.getStringValue()));
    }
    IstioWorkload base = IstioWorkload.of(text(fields, "NAME"), text(fields, "NAMESPACE"), labels);
    String workload = text(fields, "WORKLOAD_NAME");
    String cluster = text(fields, "CLUSTER_ID");
    return Optional.of(
        new IstioWorkload(
            workload.isEmpty() ? base.name() : workload,
            base.namespace(),
            base.app(),
            base.version(),
            base.canonicalService(),
            base.canonicalRevision(),
            cluster.isEmpty() ? base.cluster() : cluster));
  }

  private static String text(Map<String, Value> fields, String key) {
    Value v = fields.get(key);
    return v == null ? "" : v.getStringValue();
  }

  private static Value string(String value) {
    return Value.newBuilder().setStringValue(value).build();
  }

  /**
   * Decodes the filter as istiod writes it: a {@code TypedStruct} of {@code
   * io.istio.http.peer_metadata.Config} with the method lists of {@link #METHOD_LISTS}, each method
   * {@code istio_headers} (propagation without {@code skip_external_clusters}) or, for discovery,
   * {@code workload_discovery}; {@code is_optional} allowed. Anything else is NACKed.
   */
  static HttpFilterConfig.MetadataExchange decode(
      io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter filter,
      String at) {
    XdsDecoder.rejectUnsupported(
        filter.toBuilder().clearName().clearTypedConfig().clearIsOptional(), at);
    if (!filter.getTypedConfig().getTypeUrl().equals(TYPED_STRUCT)) {
      throw new IllegalArgumentException(
          at
              + " of type "
              + filter.getTypedConfig().getTypeUrl()
              + " is not supported (expected: "
              + TYPED_STRUCT
              + " of "
              + CONFIG_TYPE
              + ")");
    }
    com.github.xds.type.v3.TypedStruct typed =
        XdsDecoder.unpack(filter.getTypedConfig(), com.github.xds.type.v3.TypedStruct.class, at);
    if (!typed.getTypeUrl().equals(CONFIG_TYPE)) {
      throw new IllegalArgumentException(
          at + ": type_url " + typed.getTypeUrl() + " (expected: " + CONFIG_TYPE + ")");
    }
    Map<String, Boolean> headers = new LinkedHashMap<>();
    typed
        .getValue()
        .getFieldsMap()
        .forEach(
            (key, list) -> {
              if (!METHOD_LISTS.contains(key)) {
                throw new IllegalArgumentException(
                    at + ": " + key + " is not supported (expected: " + METHOD_LISTS + ")");
              }
              boolean istioHeaders = false;
              for (Value method : list.getListValue().getValuesList()) {
                Map<String, Value> m = method.getStructValue().getFieldsMap();
                if (m.size() != 1) {
                  throw new IllegalArgumentException(
                      at + ", " + key + ": " + m.keySet() + " (expected: one method each)");
                }
                String name = m.keySet().iterator().next();
                boolean discovery = key.endsWith("_discovery");
                if (name.equals("istio_headers")
                    && m.get(name)
                            .getStructValue()
                            .getFieldsMap()
                            .getOrDefault("skip_external_clusters", Value.getDefaultInstance())
                            .getBoolValue()
                        == false) {
                  istioHeaders = true;
                } else if (!(discovery && name.equals("workload_discovery"))) {
                  throw new IllegalArgumentException(
                      at
                          + ", "
                          + key
                          + ": method "
                          + name
                          + " is not supported by the embedded sidecar (expected: istio_headers"
                          + (discovery ? " or workload_discovery" : "")
                          + ")");
                }
              }
              headers.put(key, istioHeaders);
            });
    return new HttpFilterConfig.MetadataExchange(
        headers.getOrDefault("downstream_discovery", false),
        headers.getOrDefault("downstream_propagation", false),
        headers.getOrDefault("upstream_discovery", false),
        headers.getOrDefault("upstream_propagation", false));
  }
}
