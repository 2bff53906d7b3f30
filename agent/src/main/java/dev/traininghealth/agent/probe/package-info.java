/**
 * Measurements taken on the training thread: what the model is, its loss and learning rate,
 * norms of gradients, parameters and updates, non-finite values. Everything here reduces
 * tensors where they live and hands back scalars; nothing keeps a reference to a tensor.
 */
package dev.traininghealth.agent.probe;
