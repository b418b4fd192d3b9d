package dev.meshproof.runtime.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The files mounted in every sidecar, by the path a DestinationRule names ({@code caCertificates},
 * {@code clientCertificate}, {@code privateKey}): what istio-agent reads to serve istiod's {@code
 * file-root:<path>} and {@code file-cert:<cert>~<key>} SDS resources. Here the control plane serves
 * them over ADS itself (there is no agent), so Envoy and the embedded sidecar get the same secrets.
 * A path not mounted is read from this machine's file system when it is absolute (every proxy runs
 * here); {@value #SYSTEM_ROOTS} is the JVM's trusted roots, as the agent's is the system's bundle.
 */
public final class ProxyFiles {
  /** The path naming the system's trusted roots (istiod's {@code file-root:system}). */
  public static final String SYSTEM_ROOTS = "system";

  /** No file mounted. */
  public static final ProxyFiles NONE = new ProxyFiles(Map.of());

  private final Map<String, String> files;

  private ProxyFiles(Map<String, String> files) {
    this.files = Map.copyOf(files);
  }

  /** The files of {@code files}: path in the proxy to its content (PEM text). */
  public static ProxyFiles of(Map<String, String> files) {
    files.forEach(
        (path, content) -> {
          Objects.requireNonNull(content, "content of " + path);
          if (path.isEmpty() || path.equals(SYSTEM_ROOTS)) {
            throw new IllegalArgumentException(
                "path: \"" + path + "\" (expected: a file path such as /etc/certs/ca.pem)");
          }
        });
    return new ProxyFiles(files);
  }

  /** These files and {@code path} with {@code content} (replacing a file at the same path). */
  public ProxyFiles with(String path, String content) {
    Map<String, String> out = new TreeMap<>(files);
    out.put(path, content);
    return of(out);
  }

  /** The mounted paths, sorted. */
  public java.util.Set<String> paths() {
    return new java.util.TreeSet<>(files.keySet());
  }

  /**
   * The content of {@code path}: the mounted file, else an absolute path's file on this machine,
   * else {@value #SYSTEM_ROOTS} (the JVM's roots).
   */
  public Optional<String> read(String path) {
    String mounted = files.get(path);
    if (mounted != null) {
      return Optional.of(mounted);
    }
    if (path.equals(SYSTEM_ROOTS)) {
      return Optional.of(systemRoots());
    }
    Path file = Path.of(path);
    if (!file.isAbsolute() || !Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  private static volatile String systemRoots;

  private static String systemRoots() {
    String roots = systemRoots;
    if (roots == null) {
      try {
        TrustManagerFactory factory =
            TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init((KeyStore) null);
        X509Certificate[] issuers =
            Arrays.stream(factory.getTrustManagers())
                .filter(X509TrustManager.class::isInstance)
                .map(X509TrustManager.class::cast)
                .flatMap(m -> Arrays.stream(m.getAcceptedIssuers()))
                .toArray(X509Certificate[]::new);
        roots = Pem.certificates(Arrays.asList(issuers));
        systemRoots = roots;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("the JVM's default trust store cannot be read", e);
      }
    }
    return roots;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ProxyFiles other && other.files.equals(files);
  }

  @Override
  public int hashCode() {
    return files.hashCode();
  }

  @Override
  public String toString() {
    return "ProxyFiles" + paths();
  }
}
