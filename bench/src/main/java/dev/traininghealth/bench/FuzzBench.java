package dev.traininghealth.bench;

import dev.traininghealth.rules.command.Command;
import dev.traininghealth.rules.command.CommandCodec;
import dev.traininghealth.rules.command.CommandSigner;
import dev.traininghealth.rules.command.MalformedCommandException;
import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.event.EventCodec;
import dev.traininghealth.rules.event.MalformedEventException;
import dev.traininghealth.rules.rule.RuleFileLoader;
import dev.traininghealth.rules.rule.RuleLoadResult;
import dev.traininghealth.rules.rule.RuleSet;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fuzzes the three parsers of untrusted input with seeded mutations of valid records (see
 * {@link Mutations}): the event decoder, the command decoder (plus signature check: a mutant
 * that verifies must be the signed command itself) and the rule-file parser. The only allowed
 * outcomes are a value or the documented rejection ({@code MalformedEventException},
 * {@code MalformedCommandException}, a {@code RuleLoadResult} with errors); anything else is
 * counted as uncaught and printed.
 *
 * <pre>
 * scripts/bench.sh FuzzBench [inputs per target, default 1000000] [seed, default 1]
 *                            [threads, default 2]
 * </pre>
 */
public final class FuzzBench {
  private interface Target {
    /** 1 accepted, 0 rejected; throws for a bug. */
    int run(Mutations m) throws Exception;
  }

  public static void main(String[] args) throws Exception {
    long inputs = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
    long seed = args.length > 1 ? Long.parseLong(args[1]) : 1;
    int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    System.out.printf("fuzz: %,d inputs per target, seed %d, %d threads, %d cores%n", inputs,
        seed, threads, Runtime.getRuntime().availableProcessors());

    List<byte[]> events = ValidRecords.encodedEvents();
    EventCodec eventCodec = new EventCodec();
    List<byte[]> commands = ValidRecords.encodedCommands();
    CommandCodec commandCodec = new CommandCodec();
    CommandSigner signer = CommandSigner.withKey(ValidRecords.COMMAND_KEY);
    List<String> rules = ruleFiles();

    long bugs = 0;
    bugs += fuzz("EventCodec.decode", inputs, seed, threads, m -> {
      byte[] in = m.json(events, EventCodec.MAX_RECORD_BYTES);
      try {
        Event e = eventCodec.decode(in);
        eventCodec.decode(eventCodec.encode(e)); // what it accepts must round-trip
        return 1;
      } catch (MalformedEventException ex) {
        return 0;
      }
    });
    bugs += fuzz("CommandCodec.decode+verify", inputs, seed, threads, m -> {
      byte[] in = m.json(commands, CommandCodec.MAX_RECORD_BYTES);
      Command c;
      try {
        c = commandCodec.decode(in);
      } catch (MalformedCommandException ex) {
        return 0;
      }
      if (signer.verify(c) && !isSigned(commandCodec, c)) {
        throw new IllegalStateException("a changed command verifies: " + c);
      }
      return 1;
    });
    bugs += fuzz("RuleFileLoader.parse", inputs, seed, threads, m -> {
      RuleLoadResult r = RuleFileLoader.parse("fuzz.yaml", m.yaml(rules));
      if (!r.ok() && r.errors().isEmpty()) {
        throw new IllegalStateException("failed without an error");
      }
      return r.ok() ? 1 : 0;
    });
    System.out.println(bugs == 0 ? "0 uncaught exceptions" : bugs + " UNCAUGHT EXCEPTIONS");
    System.exit(bugs == 0 ? 0 : 1);
  }

  private static long fuzz(String name, long inputs, long seed, int threads, Target target)
      throws InterruptedException {
    AtomicLong accepted = new AtomicLong();
    AtomicLong rejected = new AtomicLong();
    AtomicLong uncaught = new AtomicLong();
    List<Thread> workers = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int t = 0; t < threads; t++) {
      long share = inputs / threads + (t < inputs % threads ? 1 : 0);
      Mutations m = new Mutations(seed * 1_000 + t);
      Thread w = new Thread(() -> {
        for (long i = 0; i < share; i++) {
          try {
            if (target.run(m) == 1) {
              accepted.incrementAndGet();
            } else {
              rejected.incrementAndGet();
            }
          } catch (Throwable e) {
            if (uncaught.incrementAndGet() <= 5) {
              System.out.println("  UNCAUGHT in " + name + ": " + e);
            }
          }
        }
      }, "fuzz-" + t);
      w.start();
      workers.add(w);
    }
    for (Thread w : workers) {
      w.join();
    }
    double s = (System.nanoTime() - t0) / 1e9;
    System.out.printf("%-28s %,11d inputs in %6.1f s = %,9.0f inputs/s: accepted %,d,"
            + " rejected %,d, uncaught %d%n", name, inputs, s, inputs / s, accepted.get(),
        rejected.get(), uncaught.get());
    return uncaught.get();
  }

  private static boolean isSigned(CommandCodec codec, Command c) {
    for (Command o : ValidRecords.commands()) {
      if (Arrays.equals(codec.encode(o), codec.encode(c))) {
        return true;
      }
    }
    return false;
  }

  private static List<String> ruleFiles() throws IOException {
    List<String> out = new ArrayList<>();
    try (InputStream in =
        FuzzBench.class.getClassLoader().getResourceAsStream(RuleSet.DEFAULTS_RESOURCE)) {
      out.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    out.add("- name: plateau-rescue\n"
        + "  detector: plateau\n"
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
}
