package dev.traininghealth.rules.ruletest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.event.EventCodec;
import dev.traininghealth.rules.event.MalformedEventException;
import dev.traininghealth.rules.rule.Alert;
import dev.traininghealth.rules.rule.JobEvaluator;
import dev.traininghealth.rules.rule.Rule;
import dev.traininghealth.rules.rule.RuleFileLoader;
import dev.traininghealth.rules.rule.RuleLoadResult;
import dev.traininghealth.rules.rule.RuleSet;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Runs rule unit tests. A test file (YAML):
 *
 * <pre>
 * rule_files: [ my-rules.yaml ]     # relative to the test file
 * default_rules: false              # true: also load the shipped rules
 * tests:
 *   - name: nan loss pages at once
 *     input: |                      # JSON lines, one event each (wire format v1),
 *       {"v":1,"type":"iteration","job":"j","run":"r","seq":0,"ts":0,"iter":1,"epoch":0,"loss":1}
 *       {"tick": 60000}             # or a tick of the evaluation clock (epoch ms)
 *     input_file: events.jsonl      # or/and a file of such lines, read after 'input'
 *     expect:
 *       - { iter: 1, rule: nonfinite, state: inactive }
 * </pre>
 *
 * Each expectation is checked once every line up to iteration {@code iter} has been fed (just
 * before the first event of a later iteration, or at the end). {@code state} is
 * {@code inactive}, {@code pending}, {@code firing} or {@code resolved}. Prints
 * {@code PASS}/{@code FAIL} per test; {@link #main} exits 1 if any failed, 2 on bad usage.
 */
public final class RuleTestRunner {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();

  private final PrintStream out;
  private final EventCodec codec = new EventCodec();
  private int passed;
  private int failed;

  public RuleTestRunner(PrintStream out) {
    this.out = out;
  }

  public static void main(String... args) {
    if (args.length == 0) {
      System.err.println("usage: RuleTestRunner TEST_FILE.yaml...");
      System.exit(2);
    }
    RuleTestRunner r = new RuleTestRunner(System.out);
    for (String a : args) {
      r.run(Paths.get(a));
    }
    System.out.println(r.passed + " passed, " + r.failed + " failed");
    System.exit(r.failed == 0 ? 0 : 1);
  }

  public int passed() {
    return passed;
  }

  public int failed() {
    return failed;
  }

  /** Runs every test of one file; returns whether all passed. */
  public boolean run(Path testFile) {
    int failedBefore = failed;
    JsonNode root;
    try {
      root = YAML.readTree(testFile.toFile());
    } catch (IOException e) {
      fail(testFile, "(file)", "cannot read: " + e.getMessage());
      return false;
    }
    Path dir = testFile.toAbsolutePath().getParent();
    List<Rule> rules = new ArrayList<>();
    if (root.path("default_rules").asBoolean(false)) {
      rules.addAll(RuleSet.defaults().rules());
    }
    List<Path> files = new ArrayList<>();
    for (JsonNode f : root.path("rule_files")) {
      files.add(dir.resolve(f.asText()));
    }
    if (!files.isEmpty()) {
      RuleLoadResult loaded = RuleFileLoader.loadFiles(files);
      if (!loaded.ok()) {
        fail(testFile, "(rule files)", "rules do not load:\n" + loaded.describe());
        return false;
      }
      rules.addAll(loaded.ruleSet().rules());
    }
    RuleSet ruleSet;
    try {
      ruleSet = RuleSet.of(rules);
    } catch (IllegalArgumentException e) {
      fail(testFile, "(rule files)", e.getMessage());
      return false;
    }
    int i = 0;
    for (JsonNode t : root.path("tests")) {
      String name = t.path("name").asText("test " + i);
      String problem = runCase(dir, t, ruleSet);
      if (problem == null) {
        passed++;
        out.println("PASS " + testFile.getFileName() + " " + name);
      } else {
        fail(testFile, name, problem);
      }
      i++;
    }
    if (i == 0) {
      fail(testFile, "(tests)", "the file has no tests");
    }
    return failed == failedBefore;
  }

  private void fail(Path file, String test, String why) {
    failed++;
    out.println("FAIL " + file.getFileName() + " " + test + ": " + why);
  }

  /** The first failed expectation or input problem, or null when the case passed. */
  private String runCase(Path dir, JsonNode test, RuleSet rules) {
    List<String> lines = new ArrayList<>();
    for (String l : test.path("input").asText("").split("\n")) {
      lines.add(l);
    }
    if (test.has("input_file")) {
      try {
        lines.addAll(Files.readAllLines(dir.resolve(test.get("input_file").asText()),
            StandardCharsets.UTF_8));
      } catch (IOException e) {
        return "cannot read input_file: " + e.getMessage();
      }
    }
    List<Expectation> expected = new ArrayList<>();
    for (JsonNode e : test.path("expect")) {
      if (!e.has("iter") || !e.has("rule") || !e.has("state")) {
        return "an expectation needs iter, rule and state: " + e;
      }
      expected.add(new Expectation(e.get("iter").asLong(), e.get("rule").asText(),
          e.get("state").asText().toLowerCase(Locale.ROOT)));
    }
    if (expected.isEmpty()) {
      return "the test expects nothing";
    }
    expected.sort(Comparator.comparingLong(x -> x.iter));
    JobEvaluator ev = null;
    int next = 0;
    int lineNo = 0;
    for (String line : lines) {
      lineNo++;
      if (line.isBlank()) {
        continue;
      }
      try {
        JsonNode n = JSON.readTree(line);
        if (n.has("tick") && !n.has("type")) {
          if (ev != null) {
            ev.onTick(n.get("tick").asLong());
          }
          continue;
        }
        Event e = codec.decode(line.getBytes(StandardCharsets.UTF_8));
        if (ev == null) {
          ev = new JobEvaluator(e.job(), rules);
        }
        while (next < expected.size() && expected.get(next).iter < e.iter()) {
          String p = expected.get(next++).check(ev);
          if (p != null) {
            return p;
          }
        }
        if (JobEvaluator.isAppliedRestart(e)) {
          // As the daemon does: the rules start over on the restarted run.
          JobEvaluator[] fresh = new JobEvaluator[1];
          ev.startOver((dev.traininghealth.rules.event.ActionResult) e, fresh);
          ev = fresh[0];
        } else {
          ev.onEvent(e);
        }
      } catch (MalformedEventException | IOException ex) {
        return "input line " + lineNo + ": " + ex.getMessage();
      }
    }
    if (ev == null) {
      return "no input events";
    }
    while (next < expected.size()) {
      String p = expected.get(next++).check(ev);
      if (p != null) {
        return p;
      }
    }
    return null;
  }

  private static final class Expectation {
    final long iter;
    final String rule;
    final String state;

    Expectation(long iter, String rule, String state) {
      this.iter = iter;
      this.rule = rule;
      this.state = state;
    }

    String check(JobEvaluator ev) {
      Alert a = ev.alert(rule);
      if (a == null) {
        return "at iteration " + iter + ": no rule '" + rule + "'";
      }
      if (!a.state().wireName().equals(state)) {
        return "at iteration " + iter + ": expected " + rule + " " + state + ", got "
            + a.state().wireName() + (a.evidence().isEmpty() ? "" : " (" + a.evidence() + ")");
      }
      return null;
    }
  }
}
