package dev.traininghealth.zoo;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;

/**
 * Sleeps after every iteration, standing in for the step time of a real job. The zoo's nets take
 * about a millisecond a step, so a 500-iteration run is over before a watching daemon's round trip
 * (event, alert, command, about 100 ms) could reach it; a demo paces them to be watched and
 * rescued. Changes nothing else about the run.
 */
public final class StepPause extends BaseTrainingListener {
  private final long millis;

  public StepPause(long millis) {
    if (millis < 0) {
      throw new IllegalArgumentException("pause must be >= 0 ms, got " + millis);
    }
    this.millis = millis;
  }

  @Override
  public void iterationDone(Model model, int iteration, int epoch) {
    if (millis == 0) {
      return;
    }
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
