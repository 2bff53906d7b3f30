/**
 * The agent as a library: {@link dev.traininghealth.agent.HealthListener} is a DL4J
 * {@code TrainingListener} a user can add by hand ({@code net.addListeners(...)}); the
 * {@code -javaagent} only wires the same listener in automatically.
 * {@link dev.traininghealth.agent.AgentConfig} holds its options.
 */
package dev.traininghealth.agent;
