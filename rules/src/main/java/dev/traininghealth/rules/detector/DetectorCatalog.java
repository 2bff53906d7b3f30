package dev.traininghealth.rules.detector;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The built-in detectors by the name rule files use for them. */
public final class DetectorCatalog {
  private static final Map<String, DetectorSpec> SPECS;

  static {
    Map<String, DetectorSpec> m = new LinkedHashMap<>();
    for (DetectorSpec s :
        Arrays.asList(
            NonFiniteDetector.SPEC,
            ExplodingGradientsDetector.SPEC,
            VanishingGradientsDetector.SPEC,
            PlateauDetector.SPEC,
            StallDetector.SPEC,
            HeartbeatLostDetector.SPEC,
            SaddleDetector.SPEC,
            EdgeOfStabilityDetector.SPEC,
            OscillationDetector.SPEC,
            LossSpikeDetector.SPEC,
            ActivationDetector.DEAD_UNITS,
            ActivationDetector.SATURATION,
            ActivationDetector.BLIND_INPUTS,
            UpdateRatioDetector.SPEC,
            WorkerDivergenceDetector.SPEC)) {
      m.put(s.name(), s);
    }
    SPECS = Collections.unmodifiableMap(m);
  }

  private DetectorCatalog() {}

  /** The detector called {@code name}, or {@code null}. */
  public static DetectorSpec find(String name) {
    return SPECS.get(name);
  }

  public static List<DetectorSpec> all() {
    return List.copyOf(SPECS.values());
  }

  /**
   * A fresh detector; throws {@link IllegalArgumentException} for an unknown name or a bad
   * parameter.
   */
  public static Detector create(String name, Map<String, ?> params) {
    DetectorSpec s = SPECS.get(name);
    if (s == null) {
      throw new IllegalArgumentException(
          "unknown detector '" + name + "' (known: " + SPECS.keySet() + ")");
    }
    return s.create(params);
  }
}
