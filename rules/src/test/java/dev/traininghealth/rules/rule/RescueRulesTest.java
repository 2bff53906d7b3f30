package dev.traininghealth.rules.rule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.rules.Synthetic;
import dev.traininghealth.rules.event.Activations;
import dev.traininghealth.rules.event.Event;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The opt-in rescue rule file: it loads, binds the detectors it names, and orders its ladders. */
class RescueRulesTest {
  static final String RESOURCE = "dev/traininghealth/rules/rescue-rules.yaml";

  private static RuleSet rescue() {
    RuleLoadResult r = RuleFileLoader.loadResource(RESOURCE);
    assertTrue(r.ok(), () -> "errors: " + r.errors());
    return r.ruleSet();
  }

  @Test
  void rescueRulesLoadAndBindTheDetectorsTheyName() {
    RuleSet rs = rescue();
    assertEquals(List.of("plateau-kick", "plateau-reinit", "plateau-restart", "dead-units-restart",
        "blind-restart", "saddle-rescue", "exploding-rollback", "exploding-lr-cut"),
        rs.rules().stream().map(Rule::name).toList());
    assertEquals("dead_units", rs.rule("dead-units-restart").detector());
    assertEquals("blind_inputs", rs.rule("blind-restart").detector());
    assertEquals("plateau", rs.rule("plateau-kick").detector());
    assertEquals("plateau", rs.rule("plateau-restart").detector());
    assertEquals("plateau", rs.rule("plateau-reinit").detector());
    assertEquals("saddle", rs.rule("saddle-rescue").detector());
    assertEquals("exploding_gradients", rs.rule("exploding-rollback").detector());
    assertEquals("exploding_gradients", rs.rule("exploding-lr-cut").detector());
  }

  @Test
  void theGentleActionComesFirst() {
    RuleSet rs = rescue();
    assertEquals(List.of("lr_kick"), ladder(rs.rule("plateau-kick")));
    assertEquals(List.of("restart"), ladder(rs.rule("plateau-restart")));
    // The second plateau's rule keeps off the first, which is the kick's.
    Rule reinit = rs.rule("plateau-reinit");
    assertEquals(List.of("reinit_units"), ladder(reinit));
    assertTrue(((Number) reinit.params().get("max_share_of_start")).doubleValue() < 1);
    assertEquals("init", rs.rule("plateau-restart").actions().get(0).get("from"));
    // A fresh init throws the run away, so it waits until the loss stayed flat through a kick.
    Rule kick = rs.rule("plateau-kick");
    Rule restart = rs.rule("plateau-restart");
    long kickLength = ((Number) kick.actions().get(0).get("iterations")).longValue();
    long kickFires = ((Number) kick.params().get("window")).longValue() + kick.forIterations();
    long restartFires =
        ((Number) restart.params().get("window")).longValue() + restart.forIterations();
    assertTrue(restartFires >= kickFires + kickLength,
        "restart after " + restartFires + ", kick over by " + (kickFires + kickLength));
    assertEquals(List.of("curvature_step", "restart"), ladder(rs.rule("saddle-rescue")));
    assertEquals("init", rs.rule("saddle-rescue").actions().get(1).get("from"));
    assertEquals(List.of("rollback"), ladder(rs.rule("exploding-rollback")));
    assertEquals(List.of("lr_scale"), ladder(rs.rule("exploding-lr-cut")));
    assertEquals(0.1, ((Number) rs.rule("exploding-lr-cut").actions().get(0).get("factor"))
        .doubleValue());
  }

  @Test
  void rescueRulesLoadOnTopOfTheDefaultsWithoutANameClash(@TempDir Path dir) throws Exception {
    try (InputStream in = getClass().getClassLoader().getResourceAsStream(RESOURCE)) {
      assertNotNull(in);
      Files.copy(in, dir.resolve("rescue-rules.yaml"));
    }
    RuleLoadResult r =
        RuleFileLoader.loadDirectories(List.of(dir), RuleSet.defaults(), "defaults");
    assertTrue(r.ok(), () -> "errors: " + r.errors());
    assertEquals(RuleSet.defaults().rules().size() + 8, r.ruleSet().rules().size());
  }

  @Test
  void aStalledLossAsksForTheKickAndAHealthyRunForNothing() {
    RuleSet rs = rescue();
    Synthetic s = new Synthetic("stuck", 3);
    List<Event> stuck = new ArrayList<>();
    for (int t = 1; t <= 400; t++) {
      stuck.add(s.iteration(t, 0.25 * s.noise(1e-4), 1e-3 * s.noise(0.1), List.of()));
    }
    List<ActionRequest> asked = actions(rs, stuck);
    assertTrue(!asked.isEmpty(), "a flat loss asks for an action");
    assertEquals("plateau-kick", asked.get(0).rule());
    assertEquals("lr_kick", asked.get(0).action());
    assertEquals(List.of(), actions(rs, new Synthetic("healthy", 1).healthyRun(3000)));
  }

  @Test
  void aSecondPlateauBelowTheFirstAsksForAUnitReplacementAfterTheKick() {
    RuleSet rs = rescue();
    // XOR seed 1's shape: flat at 0.25 until 200 (where the kick takes it down), 0.167 from 260.
    Synthetic s = new Synthetic("second-plateau", 3);
    List<Event> events = new ArrayList<>();
    for (int t = 1; t <= 500; t++) {
      double loss = t < 200 ? 0.25 : Math.max(0.167, 0.25 - (t - 200) * 0.0014);
      events.add(s.iteration(t, loss * s.noise(1e-4), 1e-3 * s.noise(0.1), List.of()));
    }
    JobEvaluator ev = new JobEvaluator("j", rs);
    List<String> asked = new ArrayList<>();
    long reinitAt = -1;
    for (Event e : events) {
      for (AlertChange c : ev.onEvent(e)) {
        for (ActionRequest a : c.actions()) {
          asked.add(a.rule() + ":" + a.action());
          if (a.rule().equals("plateau-reinit") && reinitAt < 0) {
            reinitAt = e.iter();
          }
        }
      }
    }
    assertEquals(List.of("plateau-kick:lr_kick", "plateau-reinit:reinit_units"),
        asked.stream().distinct().toList());
    assertTrue(reinitAt > 260 && reinitAt <= 360, "asked at " + reinitAt);
  }

  @Test
  void anEdgeOfStabilityRunGoingUpAndDownAsksForNoReplacement() {
    RuleSet rs = rescue();
    // Block means (per 10 iterations, % of the first) of the zoo's edge-of-stability seed 9, to
    // which plateau-reinit without max_relative_spread sent reinit_units at iteration 89.
    double[] blocks = {100, 42, 37, 32, 28, 29, 31, 27, 31, 14, 12, 12, 26, 11, 21, 10, 6, 6, 5, 5};
    Synthetic s = new Synthetic("eos", 9);
    List<Event> events = new ArrayList<>();
    for (int t = 1; t <= 10 * blocks.length; t++) {
      double loss = 0.5 * blocks[(t - 1) / 10] / 100;
      events.add(s.iteration(t, loss * s.noise(1e-3), 1e-2 * s.noise(0.1), List.of()));
    }
    assertEquals(List.of(), rulesAsking(rs, events));
    Rule reinit = rs.rule("plateau-reinit");
    java.util.Map<String, Object> withoutSpread = new java.util.HashMap<>(reinit.params());
    withoutSpread.remove("max_relative_spread");
    assertTrue(
        firstActive(dev.traininghealth.rules.detector.DetectorCatalog.create("plateau",
            withoutSpread), events) > 0,
        "without max_relative_spread the up-and-down window counts as a plateau");
  }

  private static long firstActive(dev.traininghealth.rules.detector.Detector d, List<Event> events) {
    for (Event e : events) {
      if (d.onEvent(e).active()) {
        return e.iter();
      }
    }
    return -1;
  }

  @Test
  void deadUnitsAskForAFreshDrawOnlyWhenTwoSamplesInARowSayDead() {
    RuleSet rs = rescue();
    Rule dead = rs.rule("dead-units-restart");
    assertEquals(List.of("restart"), ladder(dead));
    assertEquals("init", dead.actions().get(0).get("from"));
    // Activations every 20 iterations (as RescueBench samples them): half the layer dead at
    // 20 and at 40 asks for the restart; one dead sample between live ones asks for nothing.
    assertEquals(List.of("dead-units-restart"),
        rulesAsking(rs, deadSamples("stays-dead", 0.0, 0.5, 0.5, 0.5)));
    assertEquals(List.of(), rulesAsking(rs, deadSamples("one-bad-batch", 0.0, 0.5, 0.0, 0.0)));
    assertEquals(List.of(), rulesAsking(rs, deadSamples("healthy", 0.0, 0.1, 0.2, 0.1)));
  }

  @Test
  void aLayerBlindToMuchOfTheBatchAsksForAFreshDrawTheFittedOneDoesNot() {
    RuleSet rs = rescue();
    assertEquals(List.of("restart"), ladder(rs.rule("blind-restart")));
    // The 1-2-1 ReLU on |x| at x = -2..2: both units facing right leave 3 of 5 points blind;
    // the fitted relu(x) + relu(-x) leaves at most x = 0.
    assertEquals(List.of("blind-restart"),
        rulesAsking(rs, blindSamples("same-side", 0.0, 0.6, 0.6, 0.6)));
    assertEquals(List.of(), rulesAsking(rs, blindSamples("fitted", 0.2, 0.2, 0.2, 0.2)));
    assertEquals(List.of(), rulesAsking(rs, blindSamples("one-bad-batch", 0.0, 0.6, 0.0, 0.2)));
  }

  private static List<Event> blindSamples(String job, double... blindFractions) {
    return samples(job, f -> Activations.LayerActivity.relu("layer0", 0.0, f), blindFractions);
  }

  private static List<Event> deadSamples(String job, double... deadFractions) {
    return samples(job, f -> Activations.LayerActivity.of("layer0", f, Double.NaN), deadFractions);
  }

  /** Iterations 1..20k with a loss falling fast, and an activations sample of one layer every 20. */
  private static List<Event> samples(String job,
      java.util.function.DoubleFunction<Activations.LayerActivity> layer, double... fractions) {
    Synthetic s = new Synthetic(job, 5);
    List<Event> out = new ArrayList<>();
    for (int k = 0; k < fractions.length; k++) {
      for (int t = 20 * k + 1; t <= 20 * (k + 1); t++) {
        out.add(s.iteration(t, Math.exp(-t / 10.0), 1e-3, List.of()));
      }
      out.add(Activations.of(s.header(20L * (k + 1)), List.of(layer.apply(fractions[k]))));
    }
    return out;
  }

  private static List<String> rulesAsking(RuleSet rs, List<Event> events) {
    return actions(rs, events).stream().map(ActionRequest::rule).distinct().toList();
  }

  private static List<ActionRequest> actions(RuleSet rs, List<Event> events) {
    JobEvaluator ev = new JobEvaluator("j", rs);
    List<ActionRequest> out = new ArrayList<>();
    for (Event e : events) {
      for (AlertChange c : ev.onEvent(e)) {
        out.addAll(c.actions());
      }
    }
    return out;
  }

  private static List<String> ladder(Rule r) {
    List<String> out = new ArrayList<>();
    for (Map<String, Object> rung : r.actions()) {
      out.add((String) rung.get("do"));
    }
    return out;
  }
}
