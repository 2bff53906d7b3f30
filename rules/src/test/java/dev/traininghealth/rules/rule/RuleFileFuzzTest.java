package dev.traininghealth.rules.rule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.rules.Mutations;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Random edits of valid rule files: {@link RuleFileLoader#parse} never throws, and every result
 * is either a rule set or a list of errors, each with a message.
 */
class RuleFileFuzzTest {
  private static final int INPUTS = 5_000;

  static List<String> corpus() throws IOException {
    List<String> out = new ArrayList<>();
    try (InputStream in =
        RuleFileFuzzTest.class.getClassLoader().getResourceAsStream(RuleSet.DEFAULTS_RESOURCE)) {
      out.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    out.add("- name: plateau-rescue\n"
        + "  detector: plateau            # a built-in detector\n"
        + "  params: { window: 200, min_relative_improvement: 1.0e-3 }\n"
        + "  severity: warning\n"
        + "  for: 50 iterations\n"
        + "  actions:\n"
        + "    - { do: lr_kick, factor: 10, iterations: 100 }\n"
        + "    - { do: swa_start }\n"
        + "    - { do: restart, from: best, perturb: 0.01 }\n"
        + "  cooldown: 300 iterations\n");
    out.add("- name: lost\n  detector: heartbeat_lost\n  params:\n    timeout: 30s\n"
        + "  severity: critical\n  for: 0s\n  description: gone\n");
    return out;
  }

  @Test
  void parseNeverThrowsAndEveryErrorHasAMessage() throws IOException {
    List<String> corpus = corpus();
    for (String valid : corpus) {
      assertTrue(RuleFileLoader.parse("valid.yaml", valid).ok(), "the corpus itself is valid");
    }
    Mutations m = new Mutations(13);
    List<String> bugs = new ArrayList<>();
    int ok = 0;
    int failed = 0;
    for (int i = 0; i < INPUTS; i++) {
      String yaml = m.yaml(corpus);
      try {
        RuleLoadResult r = RuleFileLoader.parse("fuzz.yaml", yaml);
        if (r.ok()) {
          ok++;
          assertNotNull(r.ruleSet());
        } else {
          failed++;
          assertFalse(r.errors().isEmpty());
          for (RuleError e : r.errors()) {
            if (e.message() == null || e.message().isEmpty()) {
              bugs.add("error without a message for: " + yaml);
            }
          }
        }
      } catch (Throwable t) {
        bugs.add(t + " on:\n" + (yaml.length() > 400 ? yaml.substring(0, 400) : yaml));
      }
    }
    assertEquals(List.of(), bugs.subList(0, Math.min(3, bugs.size())), bugs.size() + " bugs");
    assertTrue(ok > 0 && failed > INPUTS / 4, ok + " accepted, " + failed + " rejected");
  }
}
