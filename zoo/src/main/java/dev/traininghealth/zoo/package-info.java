/**
 * Plain DL4J training programs with known pathologies and healthy controls, each with its
 * ground truth written down. They know nothing of the agent: they stand for users' jobs.
 * Harnesses build a job's network, may add listeners to it as a user would, and train it with
 * {@link dev.traininghealth.zoo.ZooJob#train}; {@link dev.traininghealth.zoo.ZooMain} runs one
 * as a standalone program (for {@code -javaagent} and attach tests).
 */
package dev.traininghealth.zoo;
