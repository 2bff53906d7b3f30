package dev.traininghealth.rules.rule;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.traininghealth.rules.detector.DetectorCatalog;
import dev.traininghealth.rules.detector.DetectorSpec;
import dev.traininghealth.rules.detector.Durations;
import dev.traininghealth.rules.detector.ParamSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads rule files (YAML, format in DESIGN.md) and checks them whole: it does not stop at the
 * first problem but reports every one, each with its file, line and column, and returns rules
 * only when there is none — all or nothing, so a daemon reloading a directory keeps its old rules
 * when any file in it is wrong.
 *
 * <p>A file is a list of rules. A rule's keys: {@code name} (required, unique across the whole
 * load), {@code detector} (required, see {@link DetectorCatalog}), {@code params} (checked
 * against the detector's), {@code severity} ({@code info}, {@code warning} (default),
 * {@code critical}), {@code for} and {@code cooldown} ({@code N iterations} or a duration such as
 * {@code 30s}; default 0), {@code actions} (the ladder: a list of maps with {@code do} naming an
 * action and the action's parameters), {@code escalate_after} (iterations a rung is given before
 * the next, default 100) and {@code description}.
 */
public final class RuleFileLoader {
  private static final YAMLFactory YAML = new YAMLFactory();
  private static final Set<String> KEYS =
      Set.of("name", "detector", "params", "severity", "for", "cooldown", "actions",
          "escalate_after", "description");
  private static final Pattern ITERATIONS =
      Pattern.compile("([0-9]{1,12})\\s*(iterations?|iters?)", Pattern.CASE_INSENSITIVE);

  private final List<RuleError> errors = new ArrayList<>();
  private final List<Rule> rules = new ArrayList<>();
  private final Map<String, String> firstSeen = new HashMap<>();
  private String source = "";

  private RuleFileLoader() {}

  /** Loads the YAML text {@code yaml}; {@code source} names it in errors. */
  public static RuleLoadResult parse(String source, String yaml) {
    RuleFileLoader l = new RuleFileLoader();
    l.add(source, yaml);
    return l.result();
  }

  public static RuleLoadResult loadFile(Path file) {
    return loadFiles(List.of(file));
  }

  /** Loads several files as one rule set: names must be unique across all of them. */
  public static RuleLoadResult loadFiles(List<Path> files) {
    RuleFileLoader l = new RuleFileLoader();
    for (Path f : files) {
      try {
        l.add(f.toString(), Files.readString(f, StandardCharsets.UTF_8));
      } catch (IOException e) {
        l.errors.add(RuleError.of(f.toString(), 0, 0, "cannot read: " + e));
      }
    }
    return l.result();
  }

  /**
   * Loads every {@code *.yaml} and {@code *.yml} file directly in {@code dir}, in name order, as
   * one rule set; fails as a whole if any file has an error.
   */
  public static RuleLoadResult loadDirectory(Path dir) {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.{yaml,yml}")) {
      for (Path p : ds) {
        if (Files.isRegularFile(p)) {
          files.add(p);
        }
      }
    } catch (IOException e) {
      return RuleLoadResult.failure(
          List.of(RuleError.of(dir.toString(), 0, 0, "cannot list rule directory: " + e)));
    }
    files.sort(null);
    return loadFiles(files);
  }

  /**
   * Loads every {@code *.yaml} and {@code *.yml} file directly in each of {@code dirs} on top of
   * {@code base}: the result holds the base rules followed by the files' rules, in directory
   * order and then name order; a name may not repeat across the files or reuse one of the base
   * (the error names the base rule's source). All or nothing, like {@link #loadDirectory}.
   */
  public static RuleLoadResult loadDirectories(List<Path> dirs, RuleSet base, String baseSource) {
    RuleFileLoader l = new RuleFileLoader();
    for (Rule r : base.rules()) {
      l.firstSeen.put(r.name(), baseSource);
    }
    for (Path dir : dirs) {
      List<Path> files = new ArrayList<>();
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.{yaml,yml}")) {
        for (Path p : ds) {
          if (Files.isRegularFile(p)) {
            files.add(p);
          }
        }
      } catch (IOException e) {
        l.errors.add(RuleError.of(dir.toString(), 0, 0, "cannot list rule directory: " + e));
        continue;
      }
      files.sort(null);
      for (Path f : files) {
        try {
          l.add(f.toString(), Files.readString(f, StandardCharsets.UTF_8));
        } catch (IOException e) {
          l.errors.add(RuleError.of(f.toString(), 0, 0, "cannot read: " + e));
        }
      }
    }
    List<Rule> own = new ArrayList<>(l.rules);
    l.rules.clear();
    l.rules.addAll(base.rules());
    l.rules.addAll(own);
    return l.result();
  }

  /** Loads a class-path resource, e.g. {@link RuleSet#DEFAULTS_RESOURCE}. */
  public static RuleLoadResult loadResource(String name) {
    try (InputStream in = RuleFileLoader.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        return RuleLoadResult.failure(
            List.of(RuleError.of(name, 0, 0, "no such class-path resource")));
      }
      return parse(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      return RuleLoadResult.failure(List.of(RuleError.of(name, 0, 0, "cannot read: " + e)));
    }
  }

  private RuleLoadResult result() {
    if (!errors.isEmpty()) {
      return RuleLoadResult.failure(errors);
    }
    try {
      return RuleLoadResult.success(RuleSet.of(rules));
    } catch (IllegalArgumentException e) {
      // Checks above mirror RuleSet's; this is the safety net for any they miss.
      return RuleLoadResult.failure(List.of(RuleError.of(source, 0, 0, e.getMessage())));
    }
  }

  private void add(String src, String yaml) {
    this.source = src;
    YamlNode root;
    try (JsonParser p = YAML.createParser(yaml)) {
      if (p.nextToken() == null) {
        return; // an empty file holds no rules
      }
      root = YamlNode.read(p);
      if (p.nextToken() != null) {
        error(p.currentTokenLocation().getLineNr(), p.currentTokenLocation().getColumnNr(),
            "only one YAML document per rule file");
      }
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      error(at == null ? 0 : at.getLineNr(), at == null ? 0 : at.getColumnNr(),
          "not valid YAML: " + e.getOriginalMessage());
      return;
    } catch (IOException e) {
      error(0, 0, "cannot read: " + e);
      return;
    }
    if (root.kind == YamlNode.Kind.SCALAR && root.scalar == null) {
      return;
    }
    if (root.kind != YamlNode.Kind.LIST) {
      error(root, "a rule file is a list of rules, found " + root.describeKind());
      return;
    }
    for (YamlNode item : root.items) {
      rule(item);
    }
  }

  private void rule(YamlNode node) {
    if (node.kind != YamlNode.Kind.MAP) {
      error(node, "a rule is a map with name, detector, ..., found " + node.describeKind());
      return;
    }
    Map<String, YamlNode.Entry> f = new LinkedHashMap<>();
    for (YamlNode.Entry e : node.entries) {
      if (!KEYS.contains(e.key)) {
        error(e.line, e.column, "unknown key '" + e.key + "' (a rule has " + new TreeSet<>(KEYS)
            + ")");
      } else if (f.containsKey(e.key)) {
        error(e.line, e.column, "duplicate key '" + e.key + "'");
      } else {
        f.put(e.key, e);
      }
    }
    int before = errors.size();
    String name = requiredText(node, f, "name");
    if (name != null) {
      if (!Rule.isValidName(name)) {
        error(f.get("name").value, "rule name '" + name + "' must start with a letter and hold"
            + " at most 64 letters, digits, '_', '.', '-'");
      } else {
        String where = source + ":" + f.get("name").line;
        String first = firstSeen.putIfAbsent(name, where);
        if (first != null) {
          error(f.get("name").value, "duplicate rule name '" + name + "' (first at " + first + ")");
        }
      }
    }
    String detector = requiredText(node, f, "detector");
    DetectorSpec spec = null;
    if (detector != null) {
      spec = DetectorCatalog.find(detector);
      if (spec == null) {
        List<String> known = new ArrayList<>();
        for (DetectorSpec s : DetectorCatalog.all()) {
          known.add(s.name());
        }
        error(f.get("detector").value, "unknown detector '" + detector + "' (known: " + known
            + ")");
      }
    }
    Map<String, Object> params = params(f.get("params"), spec);
    Severity severity = severity(f.get("severity"));
    long[] forSpec = span(f.get("for"), "for");
    long[] cooldown = span(f.get("cooldown"), "cooldown");
    long[] escalate = span(f.get("escalate_after"), "escalate_after");
    if (escalate != null && (escalate[1] != 0 || escalate[0] < 1)) {
      error(f.get("escalate_after").value, "escalate_after must be at least 1 iteration,"
          + " counted in iterations");
    }
    List<Map<String, Object>> actions = actions(f.get("actions"));
    String description = optionalText(f.get("description"), "description");
    if (errors.size() > before || name == null || detector == null) {
      return;
    }
    Rule.Builder b = Rule.builder(name, detector).params(params).severity(severity)
        .actions(actions).description(description);
    if (forSpec != null) {
      if (forSpec[1] != 0) {
        b.forMillis(forSpec[1]);
      } else {
        b.forIterations(forSpec[0]);
      }
    }
    if (cooldown != null) {
      if (cooldown[1] != 0) {
        b.cooldownMillis(cooldown[1]);
      } else {
        b.cooldownIterations(cooldown[0]);
      }
    }
    if (escalate != null) {
      b.escalateAfterIterations(escalate[0]);
    }
    try {
      Rule r = b.build();
      RuleSet.newDetector(r); // parameters that are fine alone but not together
      rules.add(r);
    } catch (IllegalArgumentException e) {
      YamlNode.Entry at = f.containsKey("params") ? f.get("params") : f.get("detector");
      error(at.line, at.column, e.getMessage());
    }
  }

  private String requiredText(YamlNode rule, Map<String, YamlNode.Entry> f, String key) {
    YamlNode.Entry e = f.get(key);
    if (e == null) {
      error(rule, "rule has no '" + key + "'");
      return null;
    }
    if (!(e.value.scalar instanceof String) || ((String) e.value.scalar).isEmpty()) {
      error(e.value, "'" + key + "' must be a non-empty string, found " + e.value.describeKind());
      return null;
    }
    return (String) e.value.scalar;
  }

  private String optionalText(YamlNode.Entry e, String key) {
    if (e == null) {
      return "";
    }
    if (!(e.value.scalar instanceof String)) {
      error(e.value, "'" + key + "' must be a string, found " + e.value.describeKind());
      return "";
    }
    return (String) e.value.scalar;
  }

  private Map<String, Object> params(YamlNode.Entry e, DetectorSpec spec) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (e == null) {
      return out;
    }
    if (e.value.kind != YamlNode.Kind.MAP) {
      error(e.value, "'params' must be a map, found " + e.value.describeKind());
      return out;
    }
    for (YamlNode.Entry p : e.value.entries) {
      if (out.containsKey(p.key)) {
        error(p.line, p.column, "duplicate param '" + p.key + "'");
        continue;
      }
      if (spec == null) {
        out.put(p.key, p.value.toJava());
        continue;
      }
      ParamSpec ps = spec.param(p.key);
      if (ps == null) {
        error(p.line, p.column, "unknown param '" + p.key + "' for detector '" + spec.name()
            + "' (it takes " + spec.paramNames() + ")");
        continue;
      }
      Object raw = p.value.toJava();
      try {
        ps.coerce(raw);
        out.put(p.key, raw);
      } catch (IllegalArgumentException ex) {
        error(p.value, ex.getMessage());
      }
    }
    return out;
  }

  private Severity severity(YamlNode.Entry e) {
    if (e == null) {
      return Severity.WARNING;
    }
    if (e.value.scalar instanceof String) {
      String s = ((String) e.value.scalar).toUpperCase(Locale.ROOT);
      for (Severity v : Severity.values()) {
        if (v.name().equals(s)) {
          return v;
        }
      }
    }
    error(e.value, "severity must be info, warning or critical, found " + e.value.describeKind());
    return Severity.WARNING;
  }

  /** {iterations, millis} with one of them 0, or null when absent or wrong (then reported). */
  private long[] span(YamlNode.Entry e, String key) {
    if (e == null) {
      return null;
    }
    Object v = e.value.scalar;
    if (v instanceof Long && (Long) v >= 0) {
      return new long[] {(Long) v, 0};
    }
    if (v instanceof String) {
      Matcher m = ITERATIONS.matcher(((String) v).trim());
      if (m.matches()) {
        return new long[] {Long.parseLong(m.group(1)), 0};
      }
      try {
        long ms = Durations.parseMillis((String) v);
        return new long[] {0, ms};
      } catch (IllegalArgumentException ignored) {
        // reported below, with the forms that are accepted
      }
    }
    error(e.value, "'" + key + "' must be 'N iterations' or a duration like 30s or 5m, found "
        + e.value.describeKind());
    return null;
  }

  private List<Map<String, Object>> actions(YamlNode.Entry e) {
    List<Map<String, Object>> out = new ArrayList<>();
    if (e == null) {
      return out;
    }
    if (e.value.kind != YamlNode.Kind.LIST) {
      error(e.value, "'actions' must be a list of {do: action, ...}, found "
          + e.value.describeKind());
      return out;
    }
    for (YamlNode rung : e.value.items) {
      if (rung.kind != YamlNode.Kind.MAP) {
        error(rung, "an action is a map with 'do', found " + rung.describeKind());
        continue;
      }
      YamlNode action = null;
      boolean ok = true;
      for (YamlNode.Entry a : rung.entries) {
        if (a.key.equals("do")) {
          action = a.value;
        } else if (a.value.kind != YamlNode.Kind.SCALAR || a.value.scalar == null) {
          error(a.value, "action parameter '" + a.key + "' must be a single value");
          ok = false;
        }
      }
      if (action == null) {
        error(rung, "action has no 'do'");
        continue;
      }
      if (!(action.scalar instanceof String) || !Actions.isKnown((String) action.scalar)) {
        error(action, "unknown action " + action.describeKind() + " (known: " + Actions.NAMES
            + ")");
        continue;
      }
      if (ok) {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) rung.toJava();
        out.add(m);
      }
    }
    return out;
  }

  private void error(YamlNode at, String message) {
    error(at.line, at.column, message);
  }

  private void error(int line, int column, String message) {
    errors.add(RuleError.of(source, line, column, message));
  }
}
