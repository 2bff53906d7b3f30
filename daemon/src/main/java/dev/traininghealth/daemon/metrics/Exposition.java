package dev.traininghealth.daemon.metrics;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Predicate;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * A scrape: the registry in the format the scraper asked for in its {@code Accept} header
 * (OpenMetrics 1.0.0 when it asks for it, else Prometheus text 0.0.4).
 *
 * <p>The {@code _created} samples that simpleclient adds to every counter are left out: they
 * would double the number of per-job series and Prometheus does not use them.
 */
public final class Exposition {
  private static final Predicate<String> WITHOUT_CREATED = name -> !name.endsWith("_created");

  private final String contentType;
  private final String body;

  private Exposition(String contentType, String body) {
    this.contentType = contentType;
    this.body = body;
  }

  /** Writes the registry for a scraper that sent {@code accept} (may be null). */
  public static Exposition scrape(CollectorRegistry registry, String accept) {
    String type = TextFormat.chooseContentType(accept);
    StringWriter w = new StringWriter(16 * 1024);
    try {
      TextFormat.writeFormat(type, w, registry.filteredMetricFamilySamples(WITHOUT_CREATED));
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not throw
    }
    return new Exposition(type, w.toString());
  }

  public String contentType() {
    return contentType;
  }

  public String body() {
    return body;
  }
}
