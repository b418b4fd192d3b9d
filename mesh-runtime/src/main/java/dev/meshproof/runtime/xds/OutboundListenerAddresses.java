package dev.meshproof.runtime.xds;

import dev.meshproof.runtime.envoy.ListenerPorts;
import dev.meshproof.runtime.registry.ServiceInstance;
import dev.meshproof.runtime.registry.ServiceProtocol;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The loopback addresses of a sidecar's outbound listeners: where its app connects for a service
 * port, as iptables would redirect it. Each push gives a proxy an address for every service port in
 * the registry it lacks one for (one per HTTP port number, istiod's {@code 0.0.0.0_<port>}, and one
 * per TCP {@code host:port}) and keeps the ones it has, so an address once named in a proxy's LDS
 * stays its listener's.
 */
final class OutboundListenerAddresses {
  private OutboundListenerAddresses() {}

  /** {@code proxy} with its TCP and HTTP outbound listener addresses for {@code instances}. */
  static ProxyNode assign(ProxyNode proxy, List<ServiceInstance> instances) {
    return withHttpListeners(withTcpListeners(proxy, instances), instances);
  }

  /**
   * {@code proxy} with a loopback listener address for every TCP service port in the registry,
   * keeping the ones it has (a port, once named in its LDS, stays its listener's address).
   * Addresses come from {@link ListenerPorts}, below the ephemeral range, since Envoy binds what
   * the xDS names.
   */
  private static ProxyNode withTcpListeners(ProxyNode proxy, List<ServiceInstance> instances) {
    Map<String, InetSocketAddress> addresses =
        withLoopbackAddresses(
            proxy.tcpOutbound(),
            instances.stream()
                .filter(i -> i.protocol() == ServiceProtocol.TCP)
                .map(i -> ProxyNode.tcpKey(i.hostname(), i.servicePort())));
    return addresses == proxy.tcpOutbound() ? proxy : proxy.withTcpOutbound(addresses);
  }

  /**
   * {@code proxy} with a loopback listener address for every HTTP service port in the registry (one
   * per port number, istiod's {@code 0.0.0.0_<port>}), keeping the ones it has, as {@link
   * #withTcpListeners} does for TCP; none for a gateway. A port is assigned when a service first
   * has it and stays the proxy's until the proxy is unregistered.
   */
  private static ProxyNode withHttpListeners(ProxyNode proxy, List<ServiceInstance> instances) {
    if (proxy.isGateway()) {
      return proxy;
    }
    Map<Integer, InetSocketAddress> addresses =
        withLoopbackAddresses(
            proxy.httpOutbound(),
            instances.stream()
                .filter(i -> i.protocol() != ServiceProtocol.TCP)
                .map(ServiceInstance::servicePort));
    return addresses == proxy.httpOutbound() ? proxy : proxy.withHttpOutbound(addresses);
  }

  /**
   * {@code held} plus a new loopback address from {@link ListenerPorts} for each key it lacks; the
   * same map instance when it lacks none, so the caller keeps its proxy as it is.
   */
  private static <K> Map<K, InetSocketAddress> withLoopbackAddresses(
      Map<K, InetSocketAddress> held, Stream<K> keys) {
    Map<K, InetSocketAddress> addresses = held;
    for (K key : (Iterable<K>) keys::iterator) {
      if (!addresses.containsKey(key)) {
        if (addresses == held) {
          addresses = new TreeMap<>(held);
        }
        int port = ListenerPorts.reserve(1).get(0);
        addresses.put(key, new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      }
    }
    return addresses;
  }
}
