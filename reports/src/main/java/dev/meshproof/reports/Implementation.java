package dev.meshproof.reports;

import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * Who made the mesh implementation under test, as in the {@code implementation} block of a Gateway
 * API conformance report.
 *
 * @param organization who maintains it, e.g. {@code meshproof}
 * @param project its name, e.g. {@code meshproof-embedded-mesh}
 * @param version its version, e.g. {@code 0.1.0-SNAPSHOT}
 * @param url where to find it, when public
 * @param contact how to reach the maintainers (handles, e-mail, issue tracker)
 */
public record Implementation(
    String organization, String project, String version, Optional<URI> url, List<String> contact) {

  public Implementation {
    requireText("organization", organization);
    requireText("project", project);
    requireText("version", version);
    if (url == null) {
      throw new IllegalArgumentException("url: null (expected: Optional.empty() or a URL)");
    }
    url.ifPresent(u -> ConformanceTestResult.requireWebUrl("url", u));
    if (contact == null) {
      throw new IllegalArgumentException("contact: null (expected: a list, possibly empty)");
    }
    for (String c : contact) {
      requireText("contact", c);
    }
    contact = List.copyOf(contact);
  }

  /** An implementation without url or contact. */
  public static Implementation of(String organization, String project, String version) {
    return new Implementation(organization, project, version, Optional.empty(), List.of());
  }

  /** A copy with the given public URL (http or https). */
  public Implementation withUrl(URI url) {
    return new Implementation(organization, project, version, Optional.of(url), contact);
  }

  /** A copy with the given contacts. */
  public Implementation withContact(String... contact) {
    return new Implementation(organization, project, version, url, List.of(contact));
  }

  static void requireText(String field, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(
          field + ": " + (value == null ? "null" : "'" + value + "'") + " (expected: non-blank)");
    }
  }
}
