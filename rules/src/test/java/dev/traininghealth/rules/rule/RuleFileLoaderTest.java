package dev.traininghealth.rules.rule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuleFileLoaderTest {
  @Test
  void loadsTheDesignExample() {
    RuleLoadResult r =
        RuleFileLoader.parse(
            "design.yaml",
            String.join("\n",
                "- name: plateau-rescue",
                "  detector: plateau",
                "  params: { window: 200, min_relative_improvement: 1.0e-3 }",
                "  severity: warning",
                "  for: 50 iterations",
                "  actions:",
                "    - { do: lr_kick, factor: 10, iterations: 100 }",
                "    - { do: swa_start }",
                "    - { do: restart, from: best, perturb: 0.01 }",
                "  cooldown: 300 iterations",
                "- name: quiet",
                "  detector: heartbeat_lost",
                "  params: { timeout: 90s }",
                "  for: 30s",
                "  cooldown: 5m"));
    assertTrue(r.ok(), r.describe());
    Rule p = r.ruleSet().rule("plateau-rescue");
    assertEquals(50, p.forIterations());
    assertEquals(300, p.cooldownIterations());
    assertEquals(3, p.actions().size());
    assertEquals(Map.of("do", "lr_kick", "factor", 10L, "iterations", 100L), p.actions().get(0));
    Rule q = r.ruleSet().rule("quiet");
    assertEquals(30_000, q.forMillis());
    assertEquals(300_000, q.cooldownMillis());
  }

  @Test
  void reportsEveryErrorWithItsLineAndColumn() {
    RuleLoadResult r =
        RuleFileLoader.parse(
            "bad.yaml",
            String.join("\n",
                "- name: a",                                 // 1
                "  detector: no_such_detector",             // 2
                "- name: b",                                 // 3
                "  detector: plateau",                       // 4
                "  params: { window: 200, colour: red }",   // 5
                "  severity: urgent",                        // 6
                "- name: c",                                 // 7
                "  detector: loss_spike",                    // 8
                "  params: { z: high }",                     // 9
                "  for: soon",                               // 10
                "  actions:",                                // 11
                "    - { do: lr_kick, factor: 10 }",         // 12
                "    - { do: pray }",                        // 13
                "- name: a",                                 // 14
                "  detector: nonfinite",                     // 15
                "  colour: blue"));                          // 16
    assertFalse(r.ok());
    List<String> got = new ArrayList<>();
    for (RuleError e : r.errors()) {
      got.add(e.line() + ":" + e.column() + " " + e.message().split(" ")[0] + " "
          + e.message().split(" ")[1]);
    }
    assertEquals(
        List.of(
            "2:13 unknown detector",
            "5:26 unknown param",
            "6:13 severity must",
            "9:16 param 'z'",
            "10:8 'for' must",
            "13:13 unknown action",
            "16:3 unknown key",
            "14:9 duplicate rule"),
        got, r.describe());
    assertTrue(r.errors().get(0).toString().startsWith("bad.yaml:2:13: unknown detector"));
  }

  @Test
  void reportsMissingFieldsAndBadShapes() {
    RuleLoadResult r =
        RuleFileLoader.parse("s.yaml", "- detector: plateau\n- just a string\n");
    assertEquals(2, r.errors().size(), r.describe());
    assertEquals(1, r.errors().get(0).line());
    assertTrue(r.errors().get(0).message().contains("no 'name'"));
    assertEquals(2, r.errors().get(1).line());
  }

  @Test
  void reportsParametersThatDoNotFitTogether() {
    RuleLoadResult r =
        RuleFileLoader.parse("s.yaml",
            "- name: p\n  detector: plateau\n  params: { window: 205, block: 10 }\n");
    assertEquals(1, r.errors().size(), r.describe());
    assertEquals(3, r.errors().get(0).line());
    assertTrue(r.errors().get(0).message().contains("multiple of block"));
  }

  @Test
  void reportsSyntaxErrorsWithTheirLocation() {
    RuleLoadResult r = RuleFileLoader.parse("s.yaml", "- name: p\n  detector: [plateau\n");
    assertFalse(r.ok());
    assertTrue(r.errors().get(0).message().startsWith("not valid YAML"), r.describe());
    assertTrue(r.errors().get(0).line() >= 2, r.describe());
  }

  @Test
  void acceptsScientificNumbersWithoutADot() {
    RuleLoadResult r = RuleFileLoader.parse("s.yaml",
        "- name: u\n  detector: update_ratio\n  params: { min: 1e-6, max: 5e-1 }\n");
    assertTrue(r.ok(), r.describe());
  }

  @Test
  void aDirectoryLoadsAllOrNothing(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("a.yaml"), "- name: one\n  detector: plateau\n");
    Files.writeString(dir.resolve("b.yml"), "- name: two\n  detector: loss_spike\n");
    Files.writeString(dir.resolve("notes.txt"), "not rules");
    RuleLoadResult good = RuleFileLoader.loadDirectory(dir);
    assertTrue(good.ok(), good.describe());
    assertEquals(2, good.ruleSet().rules().size());

    Files.writeString(dir.resolve("c.yaml"), "- name: one\n  detector: plateau\n");
    RuleLoadResult bad = RuleFileLoader.loadDirectory(dir);
    assertFalse(bad.ok());
    assertEquals(1, bad.errors().size(), bad.describe());
    assertTrue(bad.errors().get(0).source().endsWith("c.yaml"));
    assertTrue(bad.errors().get(0).message().contains("a.yaml:1"), bad.describe());
  }

  @Test
  void directoriesLoadOnTopOfTheDefaultsAndMayNotReuseTheirNames(@TempDir Path dir)
      throws Exception {
    Path a = Files.createDirectory(dir.resolve("a"));
    Path b = Files.createDirectory(dir.resolve("b"));
    Files.writeString(a.resolve("mine.yaml"), "- name: my-spike\n  detector: loss_spike\n");
    Files.writeString(b.resolve("theirs.yml"), "- name: their-nan\n  detector: nonfinite\n");
    RuleSet defaults = RuleSet.defaults();
    RuleLoadResult ok = RuleFileLoader.loadDirectories(List.of(a, b), defaults, "defaults");
    assertTrue(ok.ok(), ok.describe());
    List<Rule> rules = ok.ruleSet().rules();
    assertEquals(defaults.rules().size() + 2, rules.size());
    assertEquals("my-spike", rules.get(rules.size() - 2).name());
    assertEquals("their-nan", rules.get(rules.size() - 1).name());

    Files.writeString(b.resolve("clash.yaml"), "- name: plateau\n  detector: plateau\n");
    RuleLoadResult clash = RuleFileLoader.loadDirectories(List.of(a, b), defaults, "defaults");
    assertFalse(clash.ok());
    assertEquals(1, clash.errors().size(), clash.describe());
    assertTrue(clash.errors().get(0).toString().startsWith(b.resolve("clash.yaml") + ":1:9:"),
        clash.describe());
    assertTrue(clash.errors().get(0).message().contains("first at defaults"), clash.describe());
  }
}
