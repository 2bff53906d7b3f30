package dev.traininghealth.agent.probe;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The helper thread that measures the update and the parameters of the step just taken, so
 * that the two host passes overlap the next iteration's forward pass instead of lengthening the
 * step. Whoever started a measurement must {@link #await} it before anything writes either
 * buffer: DL4J's backward pass rewrites the gradient buffer (which holds the update until then),
 * and the step after it the parameters. Host memory only: on a device the reductions are ND4J
 * ops, which belong to the training thread. Started and awaited from the training thread.
 */
final class StepNormWorker implements AutoCloseable {
  private final SegmentNorms norms = new SegmentNorms(true);
  private final ExecutorService thread =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "training-health-norms");
            t.setDaemon(true);
            return t;
          });
  private Future<?> inFlight;

  /** The reductions of the helper thread; use them from there only. */
  SegmentNorms norms() {
    return norms;
  }

  /** Starts {@code passes} on the helper thread; at most one is in flight. */
  void start(Runnable passes) {
    if (inFlight != null) {
      throw new IllegalStateException("a step measurement is still in flight");
    }
    inFlight = thread.submit(passes);
  }

  /**
   * Waits for the measurement in flight, if any; rethrows what escaped it. What it wrote is
   * visible to the caller afterwards.
   */
  void await() {
    Future<?> f = inFlight;
    if (f == null) {
      return;
    }
    inFlight = null;
    boolean interrupted = false;
    try {
      while (true) {
        try {
          f.get();
          return;
        } catch (InterruptedException e) {
          // The training thread's interrupt is not ours to consume: finish, then restore it.
          interrupted = true;
        }
      }
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      if (cause instanceof Error) {
        throw (Error) cause;
      }
      throw new IllegalStateException(cause);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
