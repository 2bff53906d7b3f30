package dev.traininghealth.zoo;

import java.util.List;
import java.util.stream.Collectors;

/** Every job of the zoo, by name. */
public final class Zoo {
  private static final List<ZooJob> JOBS =
      List.of(
          new HealthyMlp(),
          new NanBatch(),
          new NanLabels(),
          new ExplodingMlp(),
          new VanishingMlp(),
          new DeadRelu(),
          new LossSpike(),
          new XorPlateau(),
          new Saddle(),
          new SymmetricInit(),
          new EdgeOfStability(),
          new BadLocalMinimum(),
          new BenchMlp(),
          new BenchLenet());

  private Zoo() {}

  public static List<ZooJob> all() {
    return JOBS;
  }

  /** The job of that name; throws {@link IllegalArgumentException} listing the names otherwise. */
  public static ZooJob byName(String name) {
    return JOBS.stream()
        .filter(j -> j.name().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "no zoo job '" + name + "'; known: "
                        + JOBS.stream().map(ZooJob::name).collect(Collectors.joining(", "))));
  }
}
