package dev.traininghealth.daemon;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads sample values out of a Prometheus text exposition, for assertions. */
final class Scrape {
  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})? (\\S+)$");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  private final String text;

  Scrape(String text) {
    this.text = text;
  }

  /**
   * The value of the sample with this name and exactly these labels, or null. The daemon's
   * {@code instance} label, on every sample, is left out of the comparison unless asked for.
   */
  Double value(String name, Map<String, String> labels) {
    for (String line : text.split("\n")) {
      Matcher m = SAMPLE.matcher(line);
      if (!m.matches() || !m.group(1).equals(name)) {
        continue;
      }
      Map<String, String> got = new LinkedHashMap<>();
      if (m.group(3) != null) {
        Matcher l = LABEL.matcher(m.group(3));
        while (l.find()) {
          got.put(l.group(1), l.group(2));
        }
      }
      if (!labels.containsKey("instance")) {
        got.remove("instance");
      }
      if (got.equals(labels)) {
        return Double.valueOf(m.group(4));
      }
    }
    return null;
  }

  String text() {
    return text;
  }
}
