/**
 * The post-mortem report: {@link dev.traininghealth.daemon.report.ReportMain} reads a recorded
 * event log (JSON lines as {@code EventCodec} writes them), replays it through the default rules
 * ({@code JobEvaluator}) and writes one self-contained HTML file per log ({@link
 * dev.traininghealth.daemon.report.HtmlReport}): inline SVG plots of loss, gradient norm,
 * curvature and learning rate, and the timeline of alerts, requested actions and action results.
 */
package dev.traininghealth.daemon.report;
