package dev.meshproof.runtime.analyze;

import java.util.List;

/** What the analyzers read: every document, and the services known without a document. */
record AnalysisInput(List<RawResource> resources, List<RegistryService> registry) {
  AnalysisInput {
    resources = List.copyOf(resources);
    registry = List.copyOf(registry);
  }

  List<RawResource> ofKind(String kind) {
    return resources.stream().filter(r -> r.kind().equals(kind)).toList();
  }
}
