package dev.traininghealth.daemon.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.traininghealth.rules.command.Command;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ActionChoicesTest {

  @Test
  void thePagesActionMenuOffersEveryActionTheProtocolKnows() throws Exception {
    String page;
    try (InputStream in = getClass().getClassLoader().getResourceAsStream("web/index.html")) {
      assertNotNull(in, "web/index.html on the classpath");
      page = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    int start = page.indexOf("<select id=\"a-action\">");
    int end = page.indexOf("</select>", start);
    Matcher m = Pattern.compile("<option>([a-z_]+)</option>").matcher(page.substring(start, end));
    Set<String> offered = new TreeSet<>();
    while (m.find()) {
      offered.add(m.group(1));
    }
    assertEquals(new TreeSet<>(Command.ACTIONS), offered);
  }
}
