package dev.meshproof.k8s.target;

import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/** One generated manifest as YAML text, as the client's loader reads it. */
final class KubernetesManifestsYaml {
  private KubernetesManifestsYaml() {}

  static String dump(Map<String, Object> doc) {
    DumperOptions o = new DumperOptions();
    o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    return new Yaml(o).dump(doc);
  }
}
