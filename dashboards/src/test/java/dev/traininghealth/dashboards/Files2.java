package dev.traininghealth.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reading the module's YAML and JSON files, and the metric names their queries use. */
final class Files2 {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();
  // Every metric of the daemon starts with th_; label values are quoted and never match because
  // the quotes are stripped first.
  private static final Pattern METRIC = Pattern.compile("\\b(th_[a-z0-9_]+)\\b");
  private static final Pattern QUOTED = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");

  private Files2() {}

  static JsonNode yaml(Path p) throws IOException {
    return YAML.readTree(p.toFile());
  }

  static JsonNode json(Path p) throws IOException {
    return JSON.readTree(p.toFile());
  }

  /** The {@code th_*} metric names a PromQL expression reads. */
  static Set<String> metricNames(String promql) {
    Set<String> out = new TreeSet<>();
    Matcher m = METRIC.matcher(QUOTED.matcher(promql).replaceAll("\"\""));
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }
}
