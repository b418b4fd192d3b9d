package dev.meshproof.runtime.analyze;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Istio's ServiceEntry analyzers ({@code pkg/config/analysis/analyzers/serviceentry}): {@code
 * ProtocolAddressesAnalyzer} (IST0134: a port with protocol TCP or none on an entry without {@code
 * addresses}; the mesh config's DNS capture with auto-allocation, which would silence it, is not
 * read: Meshproof's mesh has no DNS proxy) and {@code ConflictingServiceEntryProtocolAnalyzer}
 * (IST0177: entries visible in one scope give the same host and port different protocols).
 */
final class ServiceEntryChecks {
  private ServiceEntryChecks() {}

  static void addresses(AnalysisInput input, List<Finding> out) {
    for (RawResource se : input.ofKind("ServiceEntry")) {
      // Addresses written, or allocated by istiod (status.addresses): nothing to report.
      if (!RawResource.items(se.root(), "spec", "addresses").isEmpty()
          || !RawResource.items(se.root(), "status", "addresses").isEmpty()) {
        continue;
      }
      // istiod's analyzer reports once per such port, at the port.
      for (Node port : RawResource.items(se.root(), "spec", "ports")) {
        String protocol = RawResource.text(port, "protocol").orElse("");
        if (protocol.isEmpty() || protocol.equalsIgnoreCase("TCP")) {
          out.add(
              new Finding(
                  MessageCode.SERVICE_ENTRY_ADDRESSES_REQUIRED,
                  se.displayName(),
                  se.source(),
                  RawResource.line(port),
                  "ServiceEntry addresses are required for this protocol."));
        }
      }
    }
  }

  private record Entry(String protocol, RawResource se) {}

  static void conflictingProtocols(AnalysisInput input, List<Finding> out) {
    // scope ("*" or a namespace) -> host -> port -> entries, in document order
    Map<String, List<Entry>> index = new LinkedHashMap<>();
    for (RawResource se : input.ofKind("ServiceEntry")) {
      for (String scope : scopes(se)) {
        for (String host : RawResource.strings(se.root(), "spec", "hosts")) {
          for (Node port : RawResource.items(se.root(), "spec", "ports")) {
            String number = RawResource.text(port, "number").orElse("");
            index
                .computeIfAbsent(scope + "\n" + host + "\n" + number, k -> new ArrayList<>())
                .add(new Entry(RawResource.text(port, "protocol").orElse(""), se));
          }
        }
      }
    }
    Set<String> reported = new LinkedHashSet<>();
    for (Map.Entry<String, List<Entry>> key : index.entrySet()) {
      String[] parts = key.getKey().split("\n", -1);
      List<Entry> entries = new ArrayList<>(key.getValue());
      if (!parts[0].equals("*")) {
        entries.addAll(index.getOrDefault("*\n" + parts[1] + "\n" + parts[2], List.of()));
      }
      Set<String> protocols = new TreeSet<>();
      entries.forEach(e -> protocols.add(e.protocol().toUpperCase(Locale.ROOT)));
      if (protocols.size() < 2) {
        continue;
      }
      Set<String> names = new TreeSet<>();
      entries.forEach(e -> names.add(fullName(e.se())));
      for (Entry e : entries) {
        if (!reported.add(fullName(e.se()))) {
          continue;
        }
        out.add(
            new Finding(
                MessageCode.CONFLICTING_SERVICE_ENTRY_PROTOCOL,
                e.se().displayName(),
                e.se().source(),
                RawResource.line(RawResource.at(e.se().root(), "metadata", "name").orElseThrow()),
                "Multiple ServiceEntries ("
                    + String.join(", ", names)
                    + ") define the same host \""
                    + parts[1]
                    + "\" and port "
                    + parts[2]
                    + " with conflicting protocols ("
                    + String.join(", ", protocols)
                    + ")."));
      }
    }
  }

  /** istiod's {@code exportToScopes}: {@code *} when exported everywhere, else each namespace. */
  private static Set<String> scopes(RawResource se) {
    List<String> exportTo = RawResource.strings(se.root(), "spec", "exportTo");
    if (exportTo.isEmpty() || exportTo.contains("*")) {
      return Set.of("*");
    }
    Set<String> scopes = new LinkedHashSet<>();
    for (String ns : exportTo) {
      scopes.add(ns.equals(".") ? se.namespace() : ns);
    }
    return scopes;
  }

  static String fullName(RawResource r) {
    return r.namespace() + "/" + r.name();
  }
}
