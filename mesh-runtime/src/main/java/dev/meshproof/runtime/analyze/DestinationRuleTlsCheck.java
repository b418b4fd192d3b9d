package dev.meshproof.runtime.analyze;

import java.util.List;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Istio's {@code destinationrule.CaCertificateAnalyzer}: TLS origination ({@code SIMPLE} or {@code
 * MUTUAL}) without {@code caCertificates} does not verify the server, unless a {@code
 * credentialName} provides the CA to a selected workload.
 */
final class DestinationRuleTlsCheck {
  private DestinationRuleTlsCheck() {}

  static void run(AnalysisInput input, List<Finding> out) {
    for (RawResource rule : input.ofKind("DestinationRule")) {
      boolean selected = rule.at("spec", "workloadSelector").isPresent();
      RawResource.at(rule.root(), "spec", "trafficPolicy", "tls")
          .filter(tls -> unverified(tls, selected))
          .ifPresent(
              tls ->
                  out.add(
                      new Finding(
                          MessageCode.NO_SERVER_CERTIFICATE_VERIFICATION_DESTINATION_LEVEL,
                          rule.displayName(),
                          rule.source(),
                          RawResource.line(tls),
                          "DestinationRule "
                              + rule.name()
                              + " in namespace "
                              + rule.namespace()
                              + " has TLS mode set to "
                              + mode(tls).orElse("")
                              + " but no caCertificates are set to validate server identity for"
                              + " host: "
                              + RawResource.text(rule.root(), "spec", "host").orElse(""))));
      for (Node port :
          RawResource.items(rule.root(), "spec", "trafficPolicy", "portLevelSettings")) {
        RawResource.at(port, "tls")
            .filter(tls -> unverified(tls, selected))
            .ifPresent(
                tls ->
                    out.add(
                        new Finding(
                            MessageCode.NO_SERVER_CERTIFICATE_VERIFICATION_PORT_LEVEL,
                            rule.displayName(),
                            rule.source(),
                            RawResource.line(tls),
                            "DestinationRule "
                                + rule.name()
                                + " in namespace "
                                + rule.namespace()
                                + " has TLS mode set to "
                                + mode(tls).orElse("")
                                + " but no caCertificates are set to validate server identity for"
                                + " host: "
                                + RawResource.text(rule.root(), "spec", "host").orElse("")
                                + " at port number: "
                                + RawResource.text(port, "port", "number").orElse(""))));
      }
    }
  }

  private static boolean unverified(Node tls, boolean selected) {
    boolean originates =
        mode(tls).filter(m -> m.equals("SIMPLE") || m.equals("MUTUAL")).isPresent();
    boolean hasCa = RawResource.text(tls, "caCertificates").filter(s -> !s.isEmpty()).isPresent();
    boolean credential =
        RawResource.text(tls, "credentialName").filter(s -> !s.isEmpty()).isPresent();
    return originates && !hasCa && !(credential && selected);
  }

  private static Optional<String> mode(Node tls) {
    return RawResource.text(tls, "mode");
  }
}
