package dev.traininghealth.zoo;

import java.util.List;
import java.util.stream.Collectors;

/** Every {@link GraphZooJob} of the zoo, by name (kept apart from {@link Zoo}'s network jobs). */
public final class GraphZoo {
  private static final List<GraphZooJob> JOBS = List.of(new HealthyGraph());

  private GraphZoo() {}

  public static List<GraphZooJob> all() {
    return JOBS;
  }

  /** The job of that name; throws {@link IllegalArgumentException} listing the names otherwise. */
  public static GraphZooJob byName(String name) {
    return JOBS.stream()
        .filter(j -> j.name().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "no graph zoo job '" + name + "'; known: "
                        + JOBS.stream().map(GraphZooJob::name).collect(Collectors.joining(", "))));
  }
}
