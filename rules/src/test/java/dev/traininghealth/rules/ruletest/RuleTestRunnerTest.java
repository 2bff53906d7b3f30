package dev.traininghealth.rules.ruletest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;

class RuleTestRunnerTest {
  private static Path resource(String name) throws URISyntaxException {
    return Paths.get(RuleTestRunnerTest.class.getResource("/ruletest/" + name).toURI());
  }

  @Test
  void passesEveryCaseOfAGoodTestFile() throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    RuleTestRunner r = new RuleTestRunner(new PrintStream(buf, true, StandardCharsets.UTF_8));
    boolean ok = r.run(resource("passing.yaml"));
    String out = buf.toString(StandardCharsets.UTF_8);
    assertTrue(ok, out);
    assertEquals(4, r.passed(), out);
    assertEquals(0, r.failed(), out);
  }

  @Test
  void reportsTheFailingCaseWithWhatItGot() throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    RuleTestRunner r = new RuleTestRunner(new PrintStream(buf, true, StandardCharsets.UTF_8));
    assertFalse(r.run(resource("failing.yaml")));
    String out = buf.toString(StandardCharsets.UTF_8);
    assertEquals(1, r.failed(), out);
    assertEquals(1, r.passed(), out);
    assertTrue(out.contains("FAIL failing.yaml wrongly expects firing at once: at iteration 3:"
        + " expected nan-now firing, got pending"), out);
    assertTrue(out.contains("PASS failing.yaml this one passes"), out);
  }

  @Test
  void mainExitsNonZeroOnFailure() throws Exception {
    // main calls System.exit, so run it as a separate process, as a user would.
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    Process ok = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        RuleTestRunner.class.getName(), resource("passing.yaml").toString())
        .redirectErrorStream(true).start();
    Process bad = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        RuleTestRunner.class.getName(), resource("failing.yaml").toString())
        .redirectErrorStream(true).start();
    String okOut = new String(ok.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, ok.waitFor(), okOut);
    assertTrue(okOut.contains("4 passed, 0 failed"), okOut);
    bad.getInputStream().readAllBytes();
    assertEquals(1, bad.waitFor());
  }
}
