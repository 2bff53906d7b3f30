/**
 * The HTTP API: {@link dev.traininghealth.daemon.api.HttpVerticle} serves {@code /metrics}
 * (Prometheus text 0.0.4, or OpenMetrics when the Accept header asks for it), {@code /healthz},
 * and the JSON read API over the evaluate verticle's job state ({@code /api/jobs}, {@code
 * /api/jobs/{id}}). Errors are JSON with a message. Write endpoints (actions) will require the
 * bearer token {@code th.daemon.api.token}.
 */
package dev.traininghealth.daemon.api;
