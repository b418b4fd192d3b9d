package dev.meshproof.runtime.registry;

import java.util.Locale;
import java.util.Optional;

/**
 * The protocol Istio assigns a service port ({@code pkg/config/protocol/instance.go} {@code Parse}
 * and {@code pkg/config/kube/conversion.go} {@code ConvertProtocol}): the {@code appProtocol} when
 * set, else the port name's prefix up to the first {@code -} ({@code grpc-echo} is GRPC, {@code
 * http2} is HTTP2), case-insensitive; a name Istio does not know is {@link #UNSUPPORTED} (Istio
 * sniffs such ports). The protocol decides what istiod emits for the port's clusters: HTTP/2 to the
 * upstream for {@link #isHttp2()} ports ({@code cluster_builder.go setUpstreamProtocol}).
 */
public enum ServiceProtocol {
  HTTP,
  HTTP2,
  GRPC,
  GRPC_WEB,
  HTTP_PROXY,
  HTTPS,
  TCP,
  TLS,
  UDP,
  MONGO,
  REDIS,
  MYSQL,
  UNSUPPORTED;

  /** HTTP/2 to the upstream: HTTP2, GRPC and GRPC_WEB ({@code Instance.IsHTTP2}). */
  public boolean isHttp2() {
    return this == HTTP2 || this == GRPC || this == GRPC_WEB;
  }

  /** Served by an HTTP connection manager ({@code Instance.IsHTTP}). */
  public boolean isHttp() {
    return this == HTTP || this == HTTP_PROXY || isHttp2();
  }

  /** Istio's name of the protocol ({@code GRPC-Web} for GRPC_WEB). */
  public String istioName() {
    return this == GRPC_WEB ? "GRPC-Web" : name();
  }

  /**
   * Istio's {@code protocol.Parse}: a protocol name, case-insensitive ({@code grpc-web} and {@code
   * GRPC-Web} included); anything else is {@link #UNSUPPORTED}.
   */
  public static ServiceProtocol parse(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "http" -> HTTP;
      case "http2" -> HTTP2;
      case "grpc" -> GRPC;
      case "grpc-web" -> GRPC_WEB;
      case "http_proxy" -> HTTP_PROXY;
      case "https" -> HTTPS;
      case "tcp" -> TCP;
      case "tls" -> TLS;
      case "udp" -> UDP;
      case "mongo" -> MONGO;
      case "redis" -> REDIS;
      case "mysql" -> MYSQL;
      default -> UNSUPPORTED;
    };
  }

  /**
   * Istio's {@code ConvertProtocol} for a Kubernetes service port: {@code appProtocol} first (with
   * Kubernetes' {@code kubernetes.io/h2c} as HTTP2 and {@code kubernetes.io/ws}/{@code wss} as
   * HTTP), else the port name, whose {@code grpc-web} prefix is checked before the prefix up to the
   * first {@code -}.
   */
  public static ServiceProtocol ofPort(String portName, Optional<String> appProtocol) {
    String name = portName == null ? "" : portName;
    if (appProtocol.isPresent()) {
      name = appProtocol.get();
      switch (name) {
        case "kubernetes.io/h2c":
          return HTTP2;
        case "kubernetes.io/ws", "kubernetes.io/wss":
          return HTTP;
        default:
          break;
      }
    }
    if (name.toLowerCase(Locale.ROOT).startsWith("grpc-web")) {
      return GRPC_WEB;
    }
    int dash = name.indexOf('-');
    return parse(dash >= 0 ? name.substring(0, dash) : name);
  }
}
