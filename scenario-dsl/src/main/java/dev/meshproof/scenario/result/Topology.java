package dev.meshproof.scenario.result;

import java.util.List;
import java.util.Objects;

/**
 * A scenario's topology with the traffic it carried: every service version and its instances as
 * deployed, the clients, and per client the requests each instance answered (the edge's observed
 * share), with the requests no instance answered (a proxy's local reply, a connect failure) on an
 * edge of their own.
 *
 * @param clients the clients, in declaration order
 * @param workloads every service version with its instances, in declaration order
 * @param edges per client and answering instance, how many requests; instance empty for requests no
 *     instance answered
 */
public record Topology(List<String> clients, List<Workload> workloads, List<Edge> edges) {

  private static final Topology NONE = new Topology(List.of(), List.of(), List.of());

  /** Copies the lists. */
  public Topology {
    clients = List.copyOf(clients);
    workloads = List.copyOf(workloads);
    edges = List.copyOf(edges);
  }

  /** Nothing deployed. */
  public static Topology none() {
    return NONE;
  }

  /** The requests {@code client} sent in total. */
  public long sentBy(String client) {
    return edges.stream().filter(e -> e.from().equals(client)).mapToLong(Edge::requests).sum();
  }

  /** One version of a service and its instances ({@code catalog-v1-0}, ...). */
  public record Workload(String service, String version, List<String> instances) {

    /** Copies the instances. */
    public Workload {
      Objects.requireNonNull(service, "service");
      Objects.requireNonNull(version, "version");
      instances = List.copyOf(instances);
    }
  }

  /**
   * The requests from {@code from} that {@code instance} answered.
   *
   * @param instance the answering instance, empty when none answered
   */
  public record Edge(String from, String instance, long requests) {

    /** Checks the fields. */
    public Edge {
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(instance, "instance");
      if (requests < 0) {
        throw new IllegalArgumentException("requests: " + requests + " (expected: >= 0)");
      }
    }
  }
}
