package dev.meshproof.runtime.registry;

import dev.meshproof.runtime.config.ServiceEntry;
import dev.meshproof.runtime.config.WorkloadEntry;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The service instances ServiceEntries add to the registry, as istiod's ServiceEntry controller
 * builds them ({@code serviceentry/conversion.go convertWorkloadEntryToServiceInstances}): one per
 * host, port and endpoint, the endpoint being an inline {@code endpoints} entry or a WorkloadEntry
 * of the entry's namespace that its {@code workloadSelector} selects. The endpoint's port is the
 * one its {@code ports} map names for the entry's port, else the port's {@code targetPort}, else
 * its number. A resolution NONE entry has no endpoints: one {@link OriginalDestinationEndpoint} per
 * host, port and address stands for the destination the caller dials. MESH_INTERNAL and
 * MESH_EXTERNAL give the same instances: the location only changes mutual TLS, which the mesh does
 * not simulate yet.
 */
public final class ServiceEntryInstances {
  private ServiceEntryInstances() {}

  /** The instances of every ServiceEntry, in entry, host, port, endpoint order. */
  public static List<ServiceInstance> of(
      List<ServiceEntry> serviceEntries, List<WorkloadEntry> workloadEntries) {
    List<ServiceInstance> instances = new ArrayList<>();
    for (ServiceEntry entry : serviceEntries) {
      List<Named> endpoints = new ArrayList<>();
      for (int i = 0; i < entry.endpoints().size(); i++) {
        endpoints.add(new Named(entry.meta().name() + "-" + i, entry.endpoints().get(i)));
      }
      if (!entry.workloadSelector().isEmpty()) {
        for (WorkloadEntry we : workloadEntries) {
          if (we.meta().namespace().equals(entry.meta().namespace())
              && entry.workloadSelector().entrySet().stream()
                  .allMatch(s -> s.getValue().equals(we.endpoint().labels().get(s.getKey())))) {
            endpoints.add(new Named(we.meta().name(), we.endpoint()));
          }
        }
      }
      boolean dns = entry.resolution() == ServiceEntry.Resolution.DNS;
      boolean none = entry.resolution() == ServiceEntry.Resolution.NONE;
      for (String host : entry.hosts()) {
        if (none) {
          // istiod: no endpoints, an ORIGINAL_DST cluster; here one stand-in instance per port and
          // address the callers dial (the parser admits loopback addresses only).
          for (ServiceEntry.Port port : entry.ports()) {
            for (String address : entry.addresses()) {
              String ip =
                  address.endsWith("/32") ? address.substring(0, address.length() - 3) : address;
              instances.add(
                  new ServiceInstance(
                      entry.meta().name() + "-" + ip,
                      host,
                      entry.meta().namespace(),
                      Map.of(),
                      port.number(),
                      // istiod's PassthroughTargetPorts: a targetPort replaces the port dialled.
                      OriginalDestinationEndpoint.of(
                          ip, port.targetPort() > 0 ? port.targetPort() : port.number()),
                      host,
                      port.protocol().isEmpty()
                          ? ServiceProtocol.ofPort(port.name(), java.util.Optional.empty())
                          : ServiceProtocol.parse(port.protocol()),
                      entry.exportTo()));
            }
          }
          continue;
        }
        List<Named> hostEndpoints = endpoints;
        if (dns && endpoints.isEmpty() && entry.workloadSelector().isEmpty()) {
          // istiod (conversion.go convertServices): a DNS entry without endpoints resolves its
          // hosts themselves.
          hostEndpoints =
              List.of(
                  new Named(
                      entry.meta().name() + "-" + host,
                      new WorkloadEntry.Endpoint(
                          host, Map.of(), Map.of(), "", "", java.util.OptionalInt.empty(), "")));
        }
        for (ServiceEntry.Port port : entry.ports()) {
          for (Named named : hostEndpoints) {
            WorkloadEntry.Endpoint endpoint = named.endpoint();
            int target =
                endpoint
                    .ports()
                    .getOrDefault(
                        port.name(), port.targetPort() > 0 ? port.targetPort() : port.number());
            instances.add(
                new ServiceInstance(
                    named.name(),
                    host,
                    entry.meta().namespace(),
                    endpoint.labels(),
                    port.number(),
                    // A DNS entry's endpoints stay names: the proxy resolves them (STRICT_DNS).
                    dns
                        ? InetSocketAddress.createUnresolved(endpoint.address(), target)
                        : new InetSocketAddress(endpoint.address(), target),
                    host,
                    // The port's protocol as written; without one (accepted only for http names)
                    // by its name.
                    port.protocol().isEmpty()
                        ? ServiceProtocol.ofPort(port.name(), java.util.Optional.empty())
                        : ServiceProtocol.parse(port.protocol()),
                    entry.exportTo()));
          }
        }
      }
    }
    return List.copyOf(instances);
  }

  private record Named(String name, WorkloadEntry.Endpoint endpoint) {}
}
