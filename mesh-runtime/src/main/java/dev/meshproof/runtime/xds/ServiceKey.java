package dev.meshproof.runtime.xds;

import java.util.Comparator;

/** A service port as Istio keys outbound config: the service's FQDN and one of its ports. */
record ServiceKey(String host, int port) implements Comparable<ServiceKey> {
  private static final Comparator<ServiceKey> ORDER =
      Comparator.comparing(ServiceKey::host).thenComparingInt(ServiceKey::port);

  @Override
  public int compareTo(ServiceKey other) {
    return ORDER.compare(this, other);
  }
}
