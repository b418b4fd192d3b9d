package dev.meshproof.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Istio YAML of a scenario, exactly as {@code kubectl apply} takes it, and where it came from.
 *
 * <p>One placeholder may stand where the YAML needs the loopback port of a scenario app: {@value
 * #APP_PORT_FORM}, e.g. a ServiceEntry endpoint's {@code ports: {http: ${app.forum-api-v1-0.port}}}
 * (written in block style: {@code http: ${app.forum-api-v1-0.port}}). {@code <instance>} is an
 * instance (pod) name of a scenario service ({@code <service>-<version>-<i>}, as {@code servedBy}
 * names it); the mesh targets replace it, when they apply the YAML, by the port that instance's app
 * listens on, the app itself and not its sidecar, so the endpoint stands for a server outside the
 * mesh. The name is checked when the scenario is built ({@link Scenario.Builder#build()}); the
 * kubernetes target, where apps are pods without loopback ports, refuses such YAML.
 */
public record IstioSource(String source, String yaml) {

  /** How the placeholder is written. */
  public static final String APP_PORT_FORM = "${app.<instance>.port}";

  private static final Pattern APP_PORT =
      Pattern.compile("\\$\\{app\\.([A-Za-z0-9](?:[-A-Za-z0-9.]*[A-Za-z0-9])?)\\.port}");

  /**
   * A stand-in port the placeholder is read as before the apps exist (parsing, analysis): a valid
   * port number that no app listens on.
   */
  static final int STAND_IN_PORT = 1;

  /** One {@value #APP_PORT_FORM} in the YAML, with its 1-based line and column. */
  public record AppPort(String instance, int line, int column) {
    /** {@code <source>:<line>:<column>}. */
    public String at(String source) {
      return source + ":" + line + ":" + column;
    }
  }

  /** Every {@value #APP_PORT_FORM} in the YAML, in text order. */
  public List<AppPort> appPorts() {
    List<AppPort> found = new ArrayList<>();
    Matcher m = APP_PORT.matcher(yaml);
    while (m.find()) {
      int line = 1;
      int lineStart = 0;
      for (int i = 0; i < m.start(); i++) {
        if (yaml.charAt(i) == '\n') {
          line++;
          lineStart = i + 1;
        }
      }
      found.add(new AppPort(m.group(1), line, m.start() - lineStart + 1));
    }
    return found;
  }

  /**
   * This YAML with each {@value #APP_PORT_FORM} replaced by {@code portOf(instance)}.
   *
   * @throws IllegalArgumentException naming the placeholder's file:line:column when {@code portOf}
   *     knows no such instance
   */
  public IstioSource withAppPorts(Function<String, OptionalInt> portOf) {
    if (!yaml.contains("${app.")) {
      return this;
    }
    for (AppPort p : appPorts()) {
      if (portOf.apply(p.instance()).isEmpty()) {
        throw new IllegalArgumentException(
            p.at(source)
                + ": ${app."
                + p.instance()
                + ".port}: no app instance "
                + p.instance()
                + " is deployed");
      }
    }
    StringBuilder out = new StringBuilder();
    Matcher m = APP_PORT.matcher(yaml);
    while (m.find()) {
      m.appendReplacement(out, Integer.toString(portOf.apply(m.group(1)).getAsInt()));
    }
    m.appendTail(out);
    return new IstioSource(source, out.toString());
  }

  /**
   * This YAML as it is read before the apps exist: each {@value #APP_PORT_FORM} replaced by a
   * stand-in port, so parsers and the analyzer see a valid port.
   */
  public IstioSource withStandInAppPorts() {
    return withAppPorts(instance -> OptionalInt.of(STAND_IN_PORT));
  }
}
