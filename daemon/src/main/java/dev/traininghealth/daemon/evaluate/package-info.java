/**
 * Evaluate: the per-job state and the rules. {@link
 * dev.traininghealth.daemon.evaluate.EvaluateVerticle} owns a bounded store of jobs (a {@code
 * JobEvaluator} with the rule set, the latest values, a ring of recent iterations) and is the only
 * code that touches it; the other verticles talk to it over the event bus:
 *
 * <ul>
 *   <li>ingest sends {@link dev.traininghealth.daemon.evaluate.EventBatch}es (by reference,
 *       local codec) and waits for the reply before polling again;
 *   <li>the HTTP verticle asks {@link dev.traininghealth.daemon.evaluate.JobQuery} questions and
 *       gets JSON snapshots built on this context, so no state is shared between threads;
 *   <li>alert changes are published as {@link dev.traininghealth.daemon.evaluate.AlertJson} on
 *       the event bus, for the act verticle, and on {@code th.alerts}; each event batch is
 *       published too, before the rules see it, so the act verticle follows losses and results.
 * </ul>
 *
 * <p>Metrics ({@link dev.traininghealth.daemon.evaluate.JobMetrics}, {@link
 * dev.traininghealth.daemon.evaluate.AlertMetrics}) are written from here too; the Prometheus
 * collectors are thread-safe, so a scrape on another thread reads them directly.
 */
package dev.traininghealth.daemon.evaluate;
