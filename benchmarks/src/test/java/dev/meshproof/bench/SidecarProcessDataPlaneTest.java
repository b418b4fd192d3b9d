package dev.meshproof.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The launcher's JVM options as the child gets them. */
class SidecarProcessDataPlaneTest {
  @Test
  void theDefaultsKeepEveryOptionButATrimIntervalThisJvmDoesNotKnow() {
    List<String> defaults = List.of(SidecarProcessDataPlane.DEFAULT_JVM_OPTIONS.split(" "));

    List<String> given = SidecarProcessDataPlane.supportedByThisJvm(defaults);

    assertThat(defaults).contains("-XX:+UseSerialGC", "-Xmx40m", "-XX:TrimNativeHeapInterval=5000");
    assertThat(given)
        .containsAll(
            defaults.stream().filter(o -> !o.startsWith("-XX:TrimNativeHeapInterval")).toList());
    assertThat(SidecarProcessDataPlane.supportedByThisJvm(List.of("-XX:SomethingElse=1")))
        .containsExactly("-XX:SomethingElse=1");
  }
}
