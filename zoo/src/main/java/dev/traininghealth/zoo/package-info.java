/**
 * Plain DL4J training programs with known pathologies and healthy controls, each with its
 * ground truth written down. They know nothing of the agent: they stand for users' jobs.
 * Harnesses build a job's network, may add listeners to it as a user would, and train it with
 * {@link dev.traininghealth.zoo.ZooJob#train}; {@link dev.traininghealth.zoo.ZooMain} runs one
 * as a standalone program (for {@code -javaagent} and attach tests). {@link
 * dev.traininghealth.zoo.GraphZooJob}s (in {@link dev.traininghealth.zoo.GraphZoo}) are the same
 * for {@code ComputationGraph}s. Ground truths are stated for seeds from 1: DL4J 1.0.0-M2.1 does
 * not reproduce seed 0 (its initial parameters differ from one call to the next).
 */
package dev.traininghealth.zoo;
