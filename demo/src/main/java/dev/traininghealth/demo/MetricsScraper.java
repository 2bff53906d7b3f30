package dev.traininghealth.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the daemon's {@code /metrics} over HTTP, as Prometheus would. */
public final class MetricsScraper {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
      .build();
  private final URI metrics;

  public MetricsScraper(String baseUrl) {
    this.metrics = URI.create(baseUrl + "/metrics");
  }

  /** The exposition text, Prometheus text format 0.0.4. */
  public String scrape() throws IOException, InterruptedException {
    HttpRequest req =
        HttpRequest.newBuilder(metrics).header("Accept", "text/plain; version=0.0.4").GET()
            .timeout(Duration.ofSeconds(10)).build();
    HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
    if (resp.statusCode() != 200) {
      throw new IOException("GET " + metrics + " answered " + resp.statusCode());
    }
    return resp.body();
  }

  /**
   * The value of the first sample of {@code name} whose labels contain every
   * {@code label="value"} pair given, if there is one.
   */
  public static Optional<Double> value(String exposition, String name, String... labelPairs) {
    Pattern line = Pattern.compile("^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$",
        Pattern.MULTILINE);
    Matcher m = line.matcher(exposition);
    while (m.find()) {
      String labels = m.group(1);
      boolean all = true;
      for (int i = 0; i + 1 < labelPairs.length; i += 2) {
        all &= labels.contains(labelPairs[i] + "=\"" + labelPairs[i + 1] + "\"");
      }
      if (all) {
        return Optional.of(Double.parseDouble(m.group(2)));
      }
    }
    return Optional.empty();
  }

  /**
   * Scrapes until the sample exists with {@code expected} as its value; returns the last
   * exposition, or throws when {@code timeout} passes first.
   */
  public String awaitValue(Duration timeout, double expected, String name, String... labelPairs)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      last = scrape();
      Optional<Double> v = value(last, name, labelPairs);
      if (v.isPresent() && v.get() == expected) {
        return last;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(
        "no " + name + String.join(",", labelPairs) + " == " + expected + " within " + timeout);
  }
}
