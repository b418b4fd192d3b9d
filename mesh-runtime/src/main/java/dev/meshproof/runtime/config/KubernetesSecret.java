package dev.meshproof.runtime.config;

import java.util.Map;
import java.util.Optional;

/**
 * A Kubernetes v1 Secret, read for what istiod's credentials controller reads from it: the
 * certificate a Gateway server's {@code credentialName} names ({@code tls.crt} and {@code tls.key},
 * or {@code cert} and {@code key}) and the CA bundle that verifies client certificates ({@code
 * ca.crt} or {@code cacert}), served to the gateway as the SDS secrets {@code kubernetes://<name>}
 * and {@code kubernetes://<name>-cacert} ({@code pilot/pkg/credentials/kube/secrets.go}). {@code
 * data} holds the decoded values of {@code data} (base64) and {@code stringData}.
 */
public record KubernetesSecret(ResourceMeta meta, String type, Map<String, String> data)
    implements IstioResource {
  /** istiod's generic keys ({@code GenericScrtCert} and friends) and the TLS Secret's keys. */
  static final String GENERIC_CERT = "cert";

  static final String GENERIC_KEY = "key";
  static final String GENERIC_CA = "cacert";
  static final String TLS_CERT = "tls.crt";
  static final String TLS_KEY = "tls.key";
  static final String TLS_CA = "ca.crt";

  public KubernetesSecret {
    data = Map.copyOf(data);
  }

  @Override
  public KubernetesSecret withMeta(ResourceMeta newMeta) {
    return new KubernetesSecret(newMeta, type, data);
  }

  /**
   * The certificate chain and key, as istiod's {@code extractKeyAndCert}: {@code cert} / {@code
   * key} when both are set, else {@code tls.crt} / {@code tls.key}; empty when neither pair is.
   */
  public Optional<Map.Entry<String, String>> certificateAndKey() {
    if (has(GENERIC_CERT) && has(GENERIC_KEY)) {
      return Optional.of(Map.entry(data.get(GENERIC_CERT), data.get(GENERIC_KEY)));
    }
    if (has(TLS_CERT) && has(TLS_KEY)) {
      return Optional.of(Map.entry(data.get(TLS_CERT), data.get(TLS_KEY)));
    }
    return Optional.empty();
  }

  /** The CA bundle, as istiod's {@code extractRoot}: {@code cacert}, else {@code ca.crt}. */
  public Optional<String> caCertificate() {
    if (has(GENERIC_CA)) {
      return Optional.of(data.get(GENERIC_CA));
    }
    return has(TLS_CA) ? Optional.of(data.get(TLS_CA)) : Optional.empty();
  }

  private boolean has(String key) {
    String value = data.get(key);
    return value != null && !value.isEmpty();
  }
}
