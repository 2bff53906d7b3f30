/**
 * Act: turning alerts into signed commands and watching what they did. {@link
 * dev.traininghealth.daemon.act.ActVerticle} hears alert changes and event batches from the
 * evaluate verticle and requests of the actions API over the event bus, keeps an {@code
 * ActionLedger} (what was sent to each job, why, with what outcome, and whether it helped) on its
 * one context, and writes the commands to {@code th.commands}. {@link
 * dev.traininghealth.daemon.act.ActionRoutes} is the HTTP side ({@code POST} and {@code GET
 * /api/jobs/{id}/actions}), mounted by the HTTP verticle; it checks the bearer token and the body
 * and leaves the rest to the verticle.
 *
 * <p>The rules own the ladder (which rung comes next, and when); the ledger owns the safety: a
 * rung at most once per firing, the next rung only once the last one is judged not to have
 * helped, a per-job budget and a per-action cooldown, and no command at all without a key.
 */
package dev.traininghealth.daemon.act;
