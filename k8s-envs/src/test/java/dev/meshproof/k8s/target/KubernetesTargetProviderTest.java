package dev.meshproof.k8s.target;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.scenario.targets.Target;
import dev.meshproof.scenario.targets.TargetProvider;
import java.util.Properties;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class KubernetesTargetProviderTest {

  @Test
  void theKubernetesTargetJoinsTheOthersOnlyWhereAKubeconfigIsNamed() {
    TargetProvider provider =
        ServiceLoader.load(TargetProvider.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(KubernetesTargetProvider.class::isInstance)
            .findFirst()
            .orElseThrow(() -> new AssertionError("KubernetesTargetProvider is not registered"));

    assertThat(provider.optedIn(new Properties())).isEmpty();

    Properties named = new Properties();
    named.setProperty(KubernetesTargetOptions.KUBECONFIG_PROPERTY, "/nonexistent/kubeconfig");
    named.setProperty(KubernetesTargetOptions.CONTEXT_PROPERTY, "kind-meshproof");
    Target target = provider.optedIn(named).orElseThrow();
    assertThat(target.name()).isEqualTo("kubernetes");
    // Opted in but unreachable: the run is skipped with the reason, as envoy without Envoy.
    assertThat(target.unavailableReason())
        .hasValueSatisfying(r -> assertThat(r).contains("/nonexistent/kubeconfig cannot be read"));
  }
}
