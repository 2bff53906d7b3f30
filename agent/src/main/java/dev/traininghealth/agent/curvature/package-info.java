/**
 * The curvature probe: estimates of the extreme eigenvalues of the loss Hessian on a live DL4J run,
 * by Lanczos with full re-orthogonalisation on finite-difference Hessian-vector products.
 *
 * <p>{@link dev.traininghealth.agent.curvature.CurvatureProbe} is the entry point; it returns an
 * immutable {@link dev.traininghealth.agent.curvature.CurvatureEstimate}.
 * {@link dev.traininghealth.agent.curvature.CurvatureTask} runs it from the agent's listener on a
 * cadence and within a time budget, and publishes {@code curvature} events. Everything else here
 * is internal: the Lanczos iteration, the Hessian-vector product, the small dense eigen-solver,
 * the Adam preconditioner, the in-place vector arithmetic and scratch, the adapter over
 * MultiLayerNetwork and ComputationGraph, and the guard that leaves the run exactly as it found
 * it.
 *
 * <p>The probe is called between iterations on the training thread. It never changes the run:
 * parameters, gradients, score, input, ND4J's random state, dropout and weight-noise settings and
 * the listener list are restored bit for bit, and the updater state is only read.
 */
package dev.traininghealth.agent.curvature;
