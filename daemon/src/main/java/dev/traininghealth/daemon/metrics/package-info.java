/**
 * The daemon's Prometheus registry and its exposition. The registry is our own, never {@link
 * io.prometheus.client.CollectorRegistry#defaultRegistry}, so two daemons in one JVM (tests, the
 * demo) do not share series. Metric families are declared next to the code that produces them
 * ({@code ingest.IngestMetrics}, {@code evaluate.JobMetrics}, {@code evaluate.AlertMetrics}); this
 * package only creates the registry, adds the JVM's metrics and writes the text formats.
 */
package dev.traininghealth.daemon.metrics;
