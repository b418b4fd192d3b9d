package dev.meshproof.runtime.analyze;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * One Kubernetes/Istio document as the analyzer sees it: kind, name, namespace and the raw
 * SnakeYAML node tree with positions. Deliberately schema-free, so the analyzer reads any kind
 * (Service, ServiceEntry, ...) whether or not the simulator implements it.
 *
 * @param declaredNamespace the document's {@code metadata.namespace}, empty when it sets none
 */
record RawResource(
    String kind, String name, Optional<String> declaredNamespace, String source, Node root) {

  /** Where a resource without a namespace lands, as {@code istioctl analyze} assumes. */
  static final String DEFAULT_NAMESPACE = "default";

  String namespace() {
    return declaredNamespace.orElse(DEFAULT_NAMESPACE);
  }

  /**
   * {@code Kind ns/name}, or {@code Kind name} when the document sets no namespace (Istio's form).
   */
  String displayName() {
    return kind + " " + declaredNamespace.map(ns -> ns + "/").orElse("") + name;
  }

  int line() {
    return line(root);
  }

  Optional<Node> at(String... path) {
    return at(root, path);
  }

  Map<String, String> labels() {
    Map<String, String> labels = new TreeMap<>();
    at("metadata", "labels")
        .filter(MappingNode.class::isInstance)
        .ifPresent(
            n -> {
              for (NodeTuple t : ((MappingNode) n).getValue()) {
                text(t.getKeyNode())
                    .ifPresent(k -> labels.put(k, text(t.getValueNode()).orElse("")));
              }
            });
    return labels;
  }

  /**
   * Follows mapping keys from {@code node}; empty when a key is missing or a node is no mapping.
   */
  static Optional<Node> at(Node node, String... path) {
    Node current = node;
    for (String key : path) {
      if (!(current instanceof MappingNode mapping)) {
        return Optional.empty();
      }
      Node next = null;
      for (NodeTuple t : mapping.getValue()) {
        if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
          next = t.getValueNode();
        }
      }
      if (next == null) {
        return Optional.empty();
      }
      current = next;
    }
    return Optional.of(current);
  }

  /** The scalar text at {@code path}, or empty (missing, null or not a scalar). */
  static Optional<String> text(Node node, String... path) {
    return at(node, path)
        .filter(ScalarNode.class::isInstance)
        .map(n -> ((ScalarNode) n).getValue())
        .filter(v -> !v.equals("null") && !v.equals("~"));
  }

  /** The items of the sequence at {@code path}; none when missing or not a sequence. */
  static List<Node> items(Node node, String... path) {
    return at(node, path)
        .filter(SequenceNode.class::isInstance)
        .map(n -> List.copyOf(((SequenceNode) n).getValue()))
        .orElse(List.of());
  }

  /** The scalar items of the sequence at {@code path}. */
  static List<String> strings(Node node, String... path) {
    List<String> out = new ArrayList<>();
    for (Node item : items(node, path)) {
      text(item).ifPresent(out::add);
    }
    return out;
  }

  /** The 1-based line where {@code node} starts. */
  static int line(Node node) {
    return node.getStartMark() == null ? 1 : node.getStartMark().getLine() + 1;
  }
}
