package dev.meshproof.scenario;

import dev.meshproof.runtime.security.MeshSecurity;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A scenario's security topology: the mesh CA and mutual TLS settings (trust domain, workload
 * certificate TTL, auto mTLS; absent: a plaintext mesh without a CA), the Kubernetes service
 * account each workload runs as (its SPIFFE identity {@code spiffe://<td>/ns/default/sa/<sa>}), and
 * the clients that run without a sidecar (callers outside the mesh, as a pod without injection:
 * plaintext, no identity).
 *
 * @param ca the mesh's CA and mTLS settings, empty for a mesh without one
 * @param serviceAccounts workload -> service account, keyed by a service ({@code catalog}, every
 *     version), a service version ({@code catalog/v2}, which wins over the service) or a client; a
 *     workload not named runs as {@code default}, as a pod without {@code serviceAccountName}
 * @param clientsWithoutSidecar clients whose requests go straight to a destination instance's
 *     inbound listener (round robin over the service's instances), as a caller without a sidecar
 * @param servicesTerminatingTls services whose echo terminates TLS itself with its own certificate
 *     and runs without a sidecar (a pod with {@code sidecar.istio.io/inject: "false"} serving
 *     HTTPS): what a DestinationRule's {@code tls} SIMPLE or MUTUAL originates to
 * @param proxyFiles path in every sidecar -> content: the certificate files a DestinationRule's
 *     {@code tls} names (as a volume mounted in the proxy)
 * @param fileSources where a scenario file read them, for writing it back: {@code
 *     tls/<service>/<field>} and {@code proxyFiles/<path>} -> the file, relative to the scenario
 */
public record ScenarioSecurity(
    Optional<MeshSecurity> ca,
    Map<String, String> serviceAccounts,
    List<String> clientsWithoutSidecar,
    Map<String, dev.meshproof.fake.http.ServerTls> servicesTerminatingTls,
    Map<String, String> proxyFiles,
    Map<String, String> fileSources) {

  /** The service account of a workload no entry names, as Kubernetes assigns it. */
  public static final String DEFAULT_SERVICE_ACCOUNT = "default";

  /** No CA, every workload {@code default}, every client with a sidecar. */
  public static final ScenarioSecurity NONE =
      new ScenarioSecurity(Optional.empty(), Map.of(), List.of(), Map.of(), Map.of(), Map.of());

  public ScenarioSecurity {
    java.util.Objects.requireNonNull(ca, "ca");
    serviceAccounts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(serviceAccounts));
    clientsWithoutSidecar = List.copyOf(clientsWithoutSidecar);
    servicesTerminatingTls =
        java.util.Collections.unmodifiableMap(new LinkedHashMap<>(servicesTerminatingTls));
    proxyFiles = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(proxyFiles));
    fileSources = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(fileSources));
  }

  /** The CA, service accounts and clients without a sidecar only: what {@code security} holds. */
  public boolean isMeshSecurityNone() {
    return ca.isEmpty() && serviceAccounts.isEmpty() && clientsWithoutSidecar.isEmpty();
  }

  /** The TLS a service's echo terminates itself (it then runs without a sidecar), if any. */
  public Optional<dev.meshproof.fake.http.ServerTls> tlsOf(String service) {
    return Optional.ofNullable(servicesTerminatingTls.get(service));
  }

  /** The service account an instance of {@code service} at {@code version} runs as. */
  public String serviceAccountOf(String service, String version) {
    return serviceAccounts.getOrDefault(
        service + "/" + version, serviceAccounts.getOrDefault(service, DEFAULT_SERVICE_ACCOUNT));
  }

  /** The service account a client's workload runs as. */
  public String serviceAccountOfClient(String client) {
    return serviceAccounts.getOrDefault(client, DEFAULT_SERVICE_ACCOUNT);
  }

  /** Whether {@code client} runs without a sidecar. */
  public boolean withoutSidecar(String client) {
    return clientsWithoutSidecar.contains(client);
  }

  /** True when nothing differs from {@link #NONE}. */
  public boolean isNone() {
    return equals(NONE);
  }
}
