/**
 * Trend tests of the loss that run in the training JVM and publish their verdicts as events:
 * {@link dev.traininghealth.agent.trend.LossTrendTask} sends {@code plateau} events, using the
 * rules module's plateau statistics ({@code LossPlateau}: Mann-Kendall on block means, with
 * hysteresis) so agent and daemon agree on what a plateau is.
 *
 * <p>Loss spikes are not sent as events of their own: every {@code iteration} event carries the
 * loss, and the daemon's {@code loss_spike} detector sees all of them (a spike is one iteration,
 * so an agent-side verdict would add nothing but a second copy of the same fact).
 */
package dev.traininghealth.agent.trend;
