package dev.meshproof.scenario.expect;

import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.traffic.Observations;
import dev.meshproof.scenario.traffic.RequestObservation;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The identity the callee saw ({@code none}: no {@code x-forwarded-client-cert}, a plaintext
 * caller): every request (of a traffic) that reached an app carried the caller's SPIFFE ID in the
 * {@code x-forwarded-client-cert} the callee's sidecar set, and, for rotation, the callee saw at
 * least a number of distinct client certificates (the XFCC {@code Hash=} of the certificate
 * presented on each connection). Exact, no alpha spent.
 */
public final class PeerIdentityExpectation implements Expectation {
  private final Optional<String> traffic;
  private final String principal;
  private final int distinctCertificatesAtLeast;

  private PeerIdentityExpectation(
      Optional<String> traffic, String principal, int distinctCertificatesAtLeast) {
    this.traffic = traffic;
    this.principal = principal;
    this.distinctCertificatesAtLeast = distinctCertificatesAtLeast;
  }

  @Override
  public String description() {
    return traffic.map(t -> "traffic " + t + ": ").orElse("")
        + "the callee saw the caller as "
        + principal
        + (distinctCertificatesAtLeast > 1
            ? " through at least " + distinctCertificatesAtLeast + " distinct certificates"
            : "");
  }

  @Override
  public Map<String, Object> toYaml() {
    Map<String, Object> fields = new LinkedHashMap<>();
    traffic.ifPresent(t -> fields.put("traffic", t));
    fields.put("principal", principal);
    if (distinctCertificatesAtLeast > 1) {
      fields.put("distinctCertificatesAtLeast", distinctCertificatesAtLeast);
    }
    return Map.of("peerIdentity", fields);
  }

  @Override
  public ExpectationResult evaluate(Observations observations) {
    List<RequestObservation> reached =
        observations.requests().stream()
            .filter(r -> traffic.map(r.traffic()::equals).orElse(true))
            .filter(ReachabilityExpectation::reachedApp)
            .toList();
    Map<String, Integer> principals = new TreeMap<>();
    TreeSet<String> hashes = new TreeSet<>();
    for (RequestObservation r : reached) {
      principals.merge(ReachabilityExpectation.peer(r), 1, Integer::sum);
      r.responseHeader("x-echo-request-x-forwarded-client-cert")
          .flatMap(PeerIdentityExpectation::hashOf)
          .ifPresent(hashes::add);
    }
    Map<String, String> statistics = new LinkedHashMap<>();
    statistics.put("test", "exact: every request that reached an app");
    statistics.put("requests that reached an app", String.valueOf(reached.size()));
    statistics.put("principals seen", principals.toString());
    statistics.put("distinct client certificates", String.valueOf(hashes.size()));
    boolean identity =
        !reached.isEmpty() && principals.keySet().equals(java.util.Set.of(principal));
    boolean rotated =
        distinctCertificatesAtLeast <= 1 || hashes.size() >= distinctCertificatesAtLeast;
    boolean passed = identity && rotated;
    return new ExpectationResult(
        description(),
        passed,
        reached.size()
            + " request(s) reached an app; principals seen "
            + principals
            + "; "
            + hashes.size()
            + " distinct client certificate(s)"
            + (passed
                ? ""
                : " (expected " + principal + ", >= " + distinctCertificatesAtLeast + ")"),
        statistics,
        List.of());
  }

  private static Optional<String> hashOf(String xfcc) {
    String last = xfcc.substring(xfcc.lastIndexOf(',') + 1);
    for (String part : last.split(";")) {
      if (part.startsWith("Hash=")) {
        return Optional.of(part.substring(5));
      }
    }
    return Optional.empty();
  }

  /** Configures a {@link PeerIdentityExpectation}. */
  public static final class Builder implements ExpectationSpec {
    private final String principal;
    private Optional<String> traffic = Optional.empty();
    private int distinct = 1;

    Builder(String principal) {
      if (!principal.startsWith("spiffe://") && !principal.equals("none")) {
        throw new IllegalArgumentException(
            "principal: "
                + principal
                + " (expected: spiffe://<trust-domain>/ns/<ns>/sa/<sa>, or none for a plaintext"
                + " caller)");
      }
      this.principal = principal;
    }

    public Builder forTraffic(String name) {
      this.traffic = Optional.of(name);
      return this;
    }

    /** The callee saw at least {@code n} distinct client certificates (rotation). */
    public Builder distinctCertificatesAtLeast(int n) {
      if (n < 1) {
        throw new IllegalArgumentException(
            "distinctCertificatesAtLeast: " + n + " (expected: >= 1)");
      }
      this.distinct = n;
      return this;
    }

    @Override
    public PeerIdentityExpectation build() {
      return new PeerIdentityExpectation(traffic, principal, distinct);
    }
  }
}
