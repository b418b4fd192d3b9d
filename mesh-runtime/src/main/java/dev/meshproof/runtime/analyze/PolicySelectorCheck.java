package dev.meshproof.runtime.analyze;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Istio's {@code authz.AuthorizationPoliciesAnalyzer} {@code analyzeNoMatchingWorkloads} ({@code
 * pkg/config/analysis/analyzers/authz/authorizationpolicies.go}): an AuthorizationPolicy that
 * applies to no workload is reported IST0127 instead of being silently without effect. In the root
 * namespace ({@value #ROOT_NAMESPACE}) a policy with a selector must match a pod of any namespace
 * (a selector-less one is mesh-wide, never reported); elsewhere a selector must match a pod of the
 * policy's namespace, and a selector-less policy needs some pod in its namespace. The ingress
 * gateway is a pod like any other (a scenario's {@code istio-ingressgateway} client in {@code
 * istio-system}), so a policy selecting it is not reported.
 *
 * <p>And {@code analyzeNamespaceNotFound}: a {@code source.namespaces} / {@code notNamespaces}
 * value matching no namespace is IST0101, judged only when the input declares {@code Namespace}
 * documents (the namespaces known are those, {@code default}, {@code istio-system} and the
 * topology's own), so input without them is never blocked on a namespace it had no way to declare.
 *
 * <p>A Meshproof extension: RequestAuthentication is judged the same way (Istio has no analyzer for
 * it; its selector has the same scope rules in {@code model/authentication.go}), so a JWT policy
 * meant for a workload that does not exist is not silently ignored either.
 */
final class PolicySelectorCheck {
  /** Istio's default mesh config {@code rootNamespace}. */
  static final String ROOT_NAMESPACE = "istio-system";

  private PolicySelectorCheck() {}

  static void run(AnalysisInput input, List<Finding> out) {
    List<AnalysisInput.Pod> pods = input.pods();
    for (String kind : List.of("AuthorizationPolicy", "RequestAuthentication")) {
      for (RawResource policy : input.ofKind(kind)) {
        check(policy, pods, out);
      }
    }
    List<RawResource> namespaceDocuments = input.ofKind("Namespace");
    if (namespaceDocuments.isEmpty()) {
      // Only when the input declares namespaces is a missing one known: a scenario (or a
      // directory of Istio files) without Namespace documents is never judged on them.
      return;
    }
    java.util.Set<String> namespaces = new java.util.TreeSet<>();
    namespaceDocuments.forEach(n -> namespaces.add(n.name()));
    // Namespaces every mesh has, and those the topology's own pods live in.
    namespaces.add(RawResource.DEFAULT_NAMESPACE);
    namespaces.add(ROOT_NAMESPACE);
    input.registryPods().forEach(p -> namespaces.add(p.namespace()));
    for (RawResource policy : input.ofKind("AuthorizationPolicy")) {
      namespacesFound(policy, namespaces, out);
    }
  }

  /**
   * {@code analyzeNamespaceNotFound}: each {@code from[].source.namespaces} and {@code
   * notNamespaces} value that matches no namespace ({@code *} any, {@code *suffix}, {@code
   * prefix*}, else equal ignoring case: {@code namespaceMatch}) is IST0101, at its own line.
   */
  private static void namespacesFound(
      RawResource policy, java.util.Set<String> namespaces, List<Finding> out) {
    for (org.yaml.snakeyaml.nodes.Node rule : RawResource.items(policy.root(), "spec", "rules")) {
      for (org.yaml.snakeyaml.nodes.Node from : RawResource.items(rule, "from")) {
        for (String field : List.of("namespaces", "notNamespaces")) {
          for (org.yaml.snakeyaml.nodes.Node item : RawResource.items(from, "source", field)) {
            RawResource.text(item)
                .filter(exp -> namespaces.stream().noneMatch(ns -> namespaceMatch(ns, exp)))
                .ifPresent(
                    exp ->
                        out.add(
                            new Finding(
                                MessageCode.REFERENCED_RESOURCE_NOT_FOUND,
                                policy.displayName(),
                                policy.source(),
                                RawResource.line(item),
                                "Referenced namespace not found: \"" + exp + "\"")));
          }
        }
      }
    }
  }

  /** Istio's {@code namespaceMatch}. */
  private static boolean namespaceMatch(String namespace, String exp) {
    if (exp.equals("*")) {
      return true;
    }
    if (exp.startsWith("*")) {
      return namespace.endsWith(exp.substring(1));
    }
    if (exp.endsWith("*")) {
      return namespace.startsWith(exp.substring(0, exp.length() - 1));
    }
    return namespace.equalsIgnoreCase(exp);
  }

  private static void check(RawResource policy, List<AnalysisInput.Pod> pods, List<Finding> out) {
    String namespace = policy.namespace();
    boolean hasSelector = RawResource.at(policy.root(), "spec", "selector").isPresent();
    Map<String, String> selector =
        DestinationChecks.stringMap(policy.root(), "spec", "selector", "matchLabels");
    if (namespace.equals(ROOT_NAMESPACE)) {
      if (hasSelector
          && pods.stream()
              .noneMatch(p -> DestinationRuleSubsetCheck.matches(selector, p.labels()))) {
        out.add(finding(policy, selectorString(selector)));
      }
      return;
    }
    if (!hasSelector) {
      if (pods.stream().noneMatch(p -> p.namespace().equals(namespace))) {
        out.add(finding(policy, ""));
      }
      return;
    }
    if (pods.stream()
        .noneMatch(
            p ->
                p.namespace().equals(namespace)
                    && DestinationRuleSubsetCheck.matches(selector, p.labels()))) {
      out.add(finding(policy, selectorString(selector)));
    }
  }

  /** Kubernetes' {@code labels.SelectorFromSet(...).String()}: {@code k=v} sorted by key. */
  private static String selectorString(Map<String, String> selector) {
    return new TreeMap<>(selector)
        .entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining(","));
  }

  private static Finding finding(RawResource policy, String labels) {
    return new Finding(
        MessageCode.NO_MATCHING_WORKLOADS_FOUND,
        policy.displayName(),
        policy.source(),
        RawResource.line(RawResource.at(policy.root(), "spec", "selector").orElse(policy.root())),
        "No matching workloads for this resource with the following labels: " + labels);
  }
}
