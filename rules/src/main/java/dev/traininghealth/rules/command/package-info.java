/**
 * The command protocol of {@code shared/DESIGN.md}: what the daemon (or a person through its
 * API) asks an agent to do to a training run, signed with HMAC-SHA256 over a canonical form so
 * the agent can tell a genuine, unexpired command from a forged or replayed one. Plain JSON on
 * the wire; nothing is ever deserialized into arbitrary Java objects.
 */
package dev.traininghealth.rules.command;
