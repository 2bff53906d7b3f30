package dev.traininghealth.agent;

import org.deeplearning4j.nn.api.Model;

/**
 * Work done at an iteration boundary, on the training thread, after the iteration's measurements:
 * the curvature probe, the execution of commands. The listener runs each task behind its
 * {@link dev.traininghealth.agent.probe.ProbeGuard}, so a task that keeps failing is turned off
 * and reported, never propagated into {@code fit}.
 */
public interface BoundaryTask extends AutoCloseable {
  /** Short name, used in the report when the task is turned off. */
  String name();

  /**
   * Called from {@code iterationDone}: the step of {@code iteration} is applied, the next has not
   * begun. The model's input and labels are still those of the iteration's batch.
   */
  void atBoundary(Model model, int iteration, int epoch, Emitter out);

  /**
   * Whether {@link #atBoundary} may write the model's parameters or gradient at this boundary.
   * The listener then first waits for the step norms it measures on a helper thread. Reading
   * them (copies, checkpoints) is safe meanwhile; when unsure, say true.
   */
  default boolean mayChangeModel(int iteration) {
    return true;
  }

  /** Releases what the task holds (threads, consumers); called once when the listener closes. */
  @Override
  default void close() {}
}
