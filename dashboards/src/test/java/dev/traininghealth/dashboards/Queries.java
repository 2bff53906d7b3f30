package dev.traininghealth.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** The PromQL of the dashboard and the alert rules, and the metric names it reads. */
final class Queries {
  static final Path DASHBOARD = Path.of("grafana", "training-health.json");
  static final Path RULES = Path.of("prometheus", "training-health.rules.yml");

  private Queries() {}

  /** Every expression of the dashboard: panel targets, annotations, variable queries. */
  static List<String> dashboard() throws IOException {
    List<String> out = new ArrayList<>();
    collect(Files2.json(DASHBOARD), out);
    return out;
  }

  private static void collect(JsonNode n, List<String> out) {
    if (n.isObject()) {
      n.fields().forEachRemaining(e -> {
        if ((e.getKey().equals("expr") || e.getKey().equals("definition"))
            && e.getValue().isTextual()) {
          out.add(e.getValue().asText());
        } else {
          collect(e.getValue(), out);
        }
      });
    } else if (n.isArray()) {
      n.forEach(c -> collect(c, out));
    }
  }

  static List<String> rules() throws IOException {
    List<String> out = new ArrayList<>();
    for (JsonNode group : Files2.yaml(RULES).get("groups")) {
      for (JsonNode rule : group.get("rules")) {
        out.add(rule.get("expr").asText());
      }
    }
    return out;
  }

  /** Metric name -> where it is used ("dashboard", "rules"). */
  static Map<String, Set<String>> metricsUsed() throws IOException {
    Map<String, Set<String>> out = new TreeMap<>();
    for (String q : dashboard()) {
      Files2.metricNames(q).forEach(m -> out.computeIfAbsent(m, k -> new TreeSet<>())
          .add("dashboard"));
    }
    for (String q : rules()) {
      Files2.metricNames(q).forEach(m -> out.computeIfAbsent(m, k -> new TreeSet<>())
          .add("rules"));
    }
    return out;
  }
}
