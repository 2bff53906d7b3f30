package dev.traininghealth.zoo;

import java.util.Objects;

/**
 * What is known about a zoo job before it runs: which pathology it has (or {@code healthy}),
 * from which iteration, and what a watcher should conclude.
 *
 * @param pathology short name: {@code healthy}, {@code nan-batch}, {@code exploding}, ...
 * @param onsetIteration first iteration (0-based, as DL4J counts) where it shows, or -1
 * @param description what happens and why, in a sentence or two
 */
public record GroundTruth(String pathology, long onsetIteration, String description) {
  public GroundTruth {
    Objects.requireNonNull(pathology, "pathology");
    Objects.requireNonNull(description, "description");
  }

  public static GroundTruth healthy(String description) {
    return new GroundTruth("healthy", -1, description);
  }

  public boolean isHealthy() {
    return pathology.equals("healthy");
  }
}
