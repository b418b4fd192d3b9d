package dev.meshproof.k8s.testcluster;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link TestApiServer} per JVM, started by the first test class that needs it and stopped when
 * the test run ends (JUnit closes it with the root store); tests skip with the reason where Go or
 * etcd is absent.
 */
public final class ApiServerExtension {
  private ApiServerExtension() {}

  /** The shared server, started on first use; skips the calling test where it cannot run. */
  public static TestApiServer server(ExtensionContext context) {
    TestApiServer.unavailableReason().ifPresent(r -> Assumptions.abort(r));
    return context
        .getRoot()
        .getStore(ExtensionContext.Namespace.create(ApiServerExtension.class))
        .getOrComputeIfAbsent("server", k -> new Holder(TestApiServer.start()), Holder.class)
        .server;
  }

  /** Closed by JUnit with the root context, at the end of the run. */
  private record Holder(TestApiServer server) implements AutoCloseable {
    @Override
    public void close() {
      server.close();
    }
  }
}
