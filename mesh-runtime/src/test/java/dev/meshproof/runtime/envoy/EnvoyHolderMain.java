package dev.meshproof.runtime.envoy;

import dev.meshproof.runtime.IstioVersion;
import dev.meshproof.runtime.SidecarRequest;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A JVM that starts two Envoys and then waits to be killed: the subject of {@link EnvoyOrphanIT}.
 * The Envoys point at a control plane that is not there, which keeps them running and retrying, as
 * a real run's would be while the JVM is killed.
 */
public final class EnvoyHolderMain {
  private EnvoyHolderMain() {}

  public static void main(String[] args) throws InterruptedException {
    EnvoyBinary binary = EnvoyBinary.locate().orElseThrow();
    for (String workload : new String[] {"holder-a", "holder-b"}) {
      SidecarRequest request =
          new SidecarRequest(
              "sidecar~127.0.0.1~" + workload + ".default~default.svc.cluster.local",
              workload,
              "default",
              Map.of("app", workload),
              List.of(),
              new InetSocketAddress("127.0.0.1", 9),
              null,
              null,
              IstioVersion.CURRENT,
              List.of());
      EnvoySidecar sidecar = EnvoySidecar.start(java.util.Optional.of(binary), request, 1);
      System.out.println("envoy " + sidecar.pid() + " " + sidecar.directory());
    }
    System.out.println("ready");
    System.out.flush();
    new CountDownLatch(1).await();
  }
}
