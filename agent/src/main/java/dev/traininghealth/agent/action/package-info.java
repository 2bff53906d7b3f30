/**
 * The agent's side of the command protocol: {@link dev.traininghealth.agent.action.CommandConsumer}
 * reads this job's commands from Kafka on its own thread into a bounded
 * {@link dev.traininghealth.agent.action.CommandInbox};
 * {@link dev.traininghealth.agent.action.ActionExecutor}, a boundary task on the training thread,
 * checks each one ({@link dev.traininghealth.agent.action.CommandGate}: job, run, signature,
 * expiry, replay, allow-list, bounds), applies it between two iterations and reports an
 * {@code action_result} for every command. The actions themselves (learning-rate control,
 * snapshots, checkpoints, weight averaging, curvature step, unit replacement) each live in a class
 * of their own.
 * {@link dev.traininghealth.agent.action.ActionSettings} holds the {@code commands.*} and
 * {@code actions.*} options.
 */
package dev.traininghealth.agent.action;
