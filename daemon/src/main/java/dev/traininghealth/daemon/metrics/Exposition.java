package dev.traininghealth.daemon.metrics;

import io.prometheus.client.Collector.MetricFamilySamples;
import io.prometheus.client.Collector.MetricFamilySamples.Sample;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Predicate;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * A scrape: the registry in the format the scraper asked for in its {@code Accept} header
 * (OpenMetrics 1.0.0 when it asks for it, else Prometheus text 0.0.4).
 *
 * <p>The {@code _created} samples that simpleclient adds to every counter are left out: they
 * would double the number of per-job series and Prometheus does not use them.
 */
public final class Exposition {
  /** The label that names the daemon a series comes from. */
  public static final String INSTANCE = "instance";

  private static final Predicate<String> WITHOUT_CREATED = name -> !name.endsWith("_created");

  private final String contentType;
  private final String body;

  private Exposition(String contentType, String body) {
    this.contentType = contentType;
    this.body = body;
  }

  /** Writes the registry for a scraper that sent {@code accept} (may be null). */
  public static Exposition scrape(CollectorRegistry registry, String accept) {
    return scrape(registry, accept, null);
  }

  /**
   * Writes the registry, every sample labelled {@code instance="<instance>"} (none when null):
   * several daemons share the jobs, and a dashboard that sums or takes the max by job must be
   * able to tell their series apart and see which daemon holds a job.
   */
  public static Exposition scrape(CollectorRegistry registry, String accept, String instance) {
    String type = TextFormat.chooseContentType(accept);
    StringWriter w = new StringWriter(16 * 1024);
    Enumeration<MetricFamilySamples> families =
        registry.filteredMetricFamilySamples(WITHOUT_CREATED);
    if (instance != null) {
      families = labelled(families, instance);
    }
    try {
      TextFormat.writeFormat(type, w, families);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not throw
    }
    return new Exposition(type, w.toString());
  }

  private static Enumeration<MetricFamilySamples> labelled(
      Enumeration<MetricFamilySamples> families, String instance) {
    List<MetricFamilySamples> out = new ArrayList<>();
    while (families.hasMoreElements()) {
      MetricFamilySamples f = families.nextElement();
      List<Sample> samples = new ArrayList<>(f.samples.size());
      for (Sample s : f.samples) {
        if (s.labelNames.contains(INSTANCE)) {
          samples.add(s);
          continue;
        }
        // Last, so that a series reads as before with the daemon's name appended.
        List<String> names = new ArrayList<>(s.labelNames.size() + 1);
        names.addAll(s.labelNames);
        names.add(INSTANCE);
        List<String> values = new ArrayList<>(s.labelValues.size() + 1);
        values.addAll(s.labelValues);
        values.add(instance);
        samples.add(new Sample(s.name, names, values, s.value, s.exemplar, s.timestampMs));
      }
      out.add(new MetricFamilySamples(f.name, f.unit, f.type, f.help, samples));
    }
    return Collections.enumeration(out);
  }

  public String contentType() {
    return contentType;
  }

  public String body() {
    return body;
  }
}
