package dev.traininghealth.agent.trend;

import dev.traininghealth.agent.BoundaryTask;
import dev.traininghealth.agent.Emitter;
import dev.traininghealth.rules.detector.LossPlateau;
import dev.traininghealth.rules.event.Plateau;
import org.deeplearning4j.nn.api.Model;

/**
 * Feeds each iteration's loss to a {@link LossPlateau} and sends a {@code plateau} event when the
 * loss enters a plateau, and again once per window while it lasts: window, relative improvement
 * over the window, the iteration the flat window began at ({@code since}), and the Mann-Kendall
 * z as the statistic. Cost: a few additions per iteration and O(window / 10) once every 10.
 */
public final class LossTrendTask implements BoundaryTask {
  private final LossPlateau plateau;
  private final int window;
  private boolean inPlateau;
  private long since;
  private long lastSent;

  private LossTrendTask(LossPlateau plateau) {
    this.plateau = plateau;
    this.window = plateau.window();
  }

  /**
   * With the daemon's {@code plateau} defaults over {@code window} iterations (a multiple of 10,
   * at least 50).
   */
  public static LossTrendTask withWindow(int window) {
    return new LossTrendTask(LossPlateau.withWindow(window));
  }

  @Override
  public String name() {
    return "loss-trend";
  }

  @Override
  public boolean mayChangeModel(int iteration) {
    return false; // reads the loss only
  }

  @Override
  public void atBoundary(Model model, int iteration, int epoch, Emitter out) {
    if (!plateau.add(model.score())) {
      return; // the verdict changes only at the end of a block
    }
    if (!plateau.flat()) {
      inPlateau = false;
      return;
    }
    if (!inPlateau) {
      inPlateau = true;
      since = Math.max(0, iteration - window + 1);
    } else if (iteration - lastSent < window) {
      return;
    }
    lastSent = iteration;
    out.emit(Plateau.of(out.header(iteration, epoch), window, plateau.relativeImprovement(), since,
        plateau.z()));
  }
}
