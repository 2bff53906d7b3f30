/**
 * The Training Health daemon: {@link dev.traininghealth.daemon.Daemon} wires Kafka, the topics
 * and three verticles, one per concern:
 *
 * <pre>
 *  th.events ─▶ ingest (worker) ──EventBatch, request/reply──▶ evaluate (worker) ─▶ th.alerts
 *                 │ bad records                                  │ owns JobStore     ─▶ bus: alerts.changes
 *                 ▼                                              ▲ JobQuery (request/reply)
 *             th.events.dlq                                     http (event loop): /metrics /healthz /api
 * </pre>
 *
 * <p>Why this split: all per-job state lives in the evaluate verticle and is touched only on its
 * context, so it needs no locks, and the other verticles only send it messages; this keeps the
 * act verticle of issue 6 (listening to {@code alerts.changes}) and a future sharding of
 * evaluation a matter of adding consumers, not of rewriting. Ingest waits for evaluate's reply
 * before its next poll: back-pressure, and offsets are committed only for evaluated events.
 * Metrics are Prometheus collectors (thread-safe) in a registry of our own.
 *
 * <p>Configuration: {@link dev.traininghealth.daemon.DaemonConfig}, every key documented in
 * {@code daemon/CONFIG.md}. Entry point for a process: {@link dev.traininghealth.daemon.DaemonMain}.
 */
package dev.traininghealth.daemon;
