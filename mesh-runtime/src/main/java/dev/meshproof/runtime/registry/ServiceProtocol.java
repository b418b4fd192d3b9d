package dev.meshproof.runtime.registry;

import java.util.Locale;

/**
 * The protocol istiod serves a service port with: HTTP (an HTTP connection manager and routes) or
 * TCP (a {@code tcp_proxy}). Istio selects it from the Kubernetes port name's prefix ({@code tcp},
 * {@code tcp-db}) or {@code appProtocol} ({@code protocol.Parse} in {@code
 * pkg/config/protocol/instance.go}); only these two are simulated so far.
 */
public enum ServiceProtocol {
  HTTP,
  TCP;

  /**
   * The protocol of a Kubernetes service port named {@code portName}: the part before the first
   * {@code -} names it ({@code tcp-db} is TCP); names other than {@code tcp} are served as HTTP
   * here (Istio sniffs an unnamed port; HTTP is what the fake services speak).
   */
  public static ServiceProtocol fromPortName(String portName) {
    String prefix = portName.toLowerCase(Locale.ROOT);
    int dash = prefix.indexOf('-');
    if (dash >= 0) {
      prefix = prefix.substring(0, dash);
    }
    return prefix.equals("tcp") ? TCP : HTTP;
  }
}
