package dev.meshproof.reports;

import dev.meshproof.scenario.result.ScenarioResult;
import dev.meshproof.scenario.result.Topology;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The scenario's topology as an inline SVG graph: clients on the left; on the right every service
 * version with its instances as deployed; an edge from a client to each instance that answered it,
 * as thick as its share and labelled with it. An instance that answered nothing is drawn without an
 * edge and says so, and requests no instance answered go to a row of their own, so a version left
 * without traffic or a local reply is visible at a glance.
 */
final class TopologyEvidence implements EvidenceRenderer {

  private static final int WIDTH = 640;
  private static final int CLIENT_X = 8;
  private static final int CLIENT_W = 170;
  private static final int CLIENT_H = 28;
  private static final int NODE_X = 356;
  private static final int NODE_W = WIDTH - NODE_X - 8;
  private static final int HEADER = 20;
  private static final int ROW = 18;
  private static final int PAD = 8;
  private static final String NONE = "";

  @Override
  public String drawRun(ScenarioResult run, EvidenceHtml html) {
    Topology t = run.topology();
    if (t == null || t.edges().isEmpty()) {
      return "";
    }
    // Rows on the right: each workload's instances, then instances the topology does not list
    // (answering from outside the scenario's services), then "no instance answered".
    record Group(String title, List<String> instances) {}
    List<Group> groups = new ArrayList<>();
    Set<String> known = new LinkedHashSet<>();
    for (Topology.Workload w : t.workloads()) {
      groups.add(new Group(w.service() + " " + w.version(), w.instances()));
      known.addAll(w.instances());
    }
    List<String> others = new ArrayList<>();
    boolean unanswered = false;
    for (Topology.Edge e : t.edges()) {
      if (e.instance().equals(NONE)) {
        unanswered = true;
      } else if (!known.contains(e.instance()) && !others.contains(e.instance())) {
        others.add(e.instance());
      }
    }
    if (!others.isEmpty()) {
      groups.add(new Group("outside the topology", others));
    }
    if (unanswered) {
      groups.add(new Group("no instance answered", List.of(NONE)));
    }
    Map<String, Double> rowY = new LinkedHashMap<>();
    Map<String, Long> answered = new LinkedHashMap<>();
    t.edges().forEach(e -> answered.merge(e.instance(), e.requests(), Long::sum));
    long total = t.edges().stream().mapToLong(Topology.Edge::requests).sum();

    StringBuilder nodes = new StringBuilder();
    int y = PAD;
    for (Group g : groups) {
      int h = HEADER + g.instances().size() * ROW + 4;
      nodes.append(
          format(
              "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"4\" fill=\"#f6f8fa\""
                  + " stroke=\"#8c959f\"/><text class=\"label\" x=\"%d\" y=\"%d\"><tspan"
                  + " font-weight=\"600\">%s</tspan></text>",
              NODE_X, y, NODE_W, h, NODE_X + 6, y + 14, html.escape(g.title())));
      int ry = y + HEADER;
      for (String instance : g.instances()) {
        long n = answered.getOrDefault(instance, 0L);
        double cy = ry + ROW / 2.0;
        rowY.put(instance, cy);
        nodes.append(
            format(
                "<circle cx=\"%d\" cy=\"%.1f\" r=\"4\" fill=\"%s\" stroke=\"#57606a\"/>"
                    + "<text class=\"value\" x=\"%d\" y=\"%.1f\">%s</text>",
                NODE_X,
                cy,
                n == 0 ? "#ffffff" : instance.equals(NONE) ? "#cf222e" : "#0969da",
                NODE_X + 10,
                cy + 4,
                html.escape(
                    (instance.equals(NONE) ? "local reply or no connection" : instance)
                        + " \u2014 "
                        + (n == 0
                            ? "answered nothing"
                            : n + " (" + Html.percent((double) n / total) + ")"))));
        ry += ROW;
      }
      y += h + PAD;
    }
    int height = Math.max(y, PAD + t.clients().size() * (CLIENT_H + PAD));

    StringBuilder edges = new StringBuilder();
    StringBuilder clients = new StringBuilder();
    List<String> clientNames = new ArrayList<>(t.clients());
    t.edges().stream()
        .map(Topology.Edge::from)
        .filter(c -> !clientNames.contains(c))
        .distinct()
        .forEach(clientNames::add);
    int cy0 = PAD;
    for (String client : clientNames) {
      double cy = cy0 + CLIENT_H / 2.0;
      long sent = t.sentBy(client);
      clients.append(
          format(
              "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"4\" fill=\"#ddf4ff\""
                  + " stroke=\"#0969da\"/><text class=\"label\" x=\"%d\" y=\"%.1f\">%s</text>",
              CLIENT_X,
              cy0,
              CLIENT_W,
              CLIENT_H,
              CLIENT_X + 6,
              cy + 4,
              html.escape(client + " (" + sent + " sent)")));
      for (Topology.Edge e : t.edges()) {
        if (!e.from().equals(client) || e.requests() == 0) {
          continue;
        }
        double share = (double) e.requests() / sent;
        double ty = rowY.get(e.instance());
        double x0 = CLIENT_X + CLIENT_W;
        double mid = (x0 + NODE_X) / 2;
        edges.append(
            format(
                "<path d=\"M%.1f %.1f C%.1f %.1f %.1f %.1f %d %.1f\" fill=\"none\" stroke=\"%s\""
                    + " stroke-opacity=\".6\" stroke-width=\"%.1f\"><title>%s</title></path>"
                    + "<text class=\"tick\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>",
                x0,
                cy,
                mid,
                cy,
                mid,
                ty,
                NODE_X - 5,
                ty,
                e.instance().equals(NONE) ? "#cf222e" : "#0969da",
                1 + 7 * share,
                html.escape(
                    client
                        + " \u2192 "
                        + (e.instance().equals(NONE) ? "no instance" : e.instance())
                        + ": "
                        + e.requests()
                        + " of "
                        + sent),
                NODE_X - 8,
                ty - 3,
                Html.percent(share)));
      }
      cy0 += CLIENT_H + PAD;
    }
    String id = html.newId("topology");
    return "<h5>Topology and observed traffic</h5>\n<figure><figcaption>Edges: each client's share"
        + " of requests per answering instance</figcaption>"
        + format(
            "<svg class=\"chart topology\" role=\"img\" aria-labelledby=\"%s-title\" viewBox=\"0"
                + " 0 %d %d\" width=\"%d\" height=\"%d\"><title id=\"%s-title\">%s</title>",
            id,
            WIDTH,
            height,
            WIDTH,
            height,
            id,
            "Services, versions and instances deployed; edges from each client labelled with the"
                + " share of its requests each instance answered")
        + edges
        + clients
        + nodes
        + "</svg></figure>\n";
  }

  private static String format(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
