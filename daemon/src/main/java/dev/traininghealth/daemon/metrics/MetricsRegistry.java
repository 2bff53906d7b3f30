package dev.traininghealth.daemon.metrics;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.hotspot.DefaultExports;

/** Creates the registries the daemon exports. */
public final class MetricsRegistry {
  private MetricsRegistry() {}

  /** A fresh registry holding the JVM's metrics (memory, GC, threads, class loading...). */
  public static CollectorRegistry withJvmMetrics() {
    CollectorRegistry r = new CollectorRegistry(true);
    DefaultExports.register(r);
    return r;
  }
}
