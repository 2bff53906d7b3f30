/**
 * Measurements taken in the training thread's callbacks: what the model is, its loss and
 * learning rate, norms of gradients, parameters and updates, non-finite values. Everything here
 * reduces tensors where they live and hands back scalars. On the CPU backend the update and
 * parameter passes run on one helper thread ({@link dev.traininghealth.agent.probe.StepNormWorker})
 * until the next forward pass; nothing keeps a reference to a tensor past that.
 */
package dev.traininghealth.agent.probe;
