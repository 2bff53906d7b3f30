package dev.traininghealth.daemon.report;

import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.event.EventCodec;
import dev.traininghealth.rules.event.MalformedEventException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads a recorded event log: one event per line, as {@link EventCodec} encodes it. Blank lines
 * are skipped; a line that does not decode is counted (the first few kept with their reason) and
 * skipped, as the daemon dead-letters such records rather than stopping.
 */
final class EventLog {
  /** Told how far the reading is, in bytes of the file. */
  interface Progress {
    void update(long bytesRead, long bytesTotal, long events);
  }

  /** What reading found. */
  record Stats(long events, long malformed, List<String> firstErrors) {}

  private static final int KEPT_ERRORS = 5;

  private EventLog() {}

  static Stats read(Path file, Consumer<Event> sink, Progress progress) throws IOException {
    EventCodec codec = new EventCodec();
    long total = Files.size(file);
    long read = 0;
    long events = 0;
    long malformed = 0;
    long lineNo = 0;
    List<String> errors = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      while ((line = r.readLine()) != null) {
        lineNo++;
        read += line.length() + 1; // chars, not bytes: close enough for a progress figure
        if (line.isBlank()) {
          continue;
        }
        try {
          sink.accept(codec.decode(line.getBytes(StandardCharsets.UTF_8)));
          events++;
        } catch (MalformedEventException e) {
          malformed++;
          if (errors.size() < KEPT_ERRORS) {
            errors.add("line " + lineNo + ": " + e.getMessage());
          }
        }
        if ((lineNo & 1023) == 0) {
          progress.update(Math.min(read, total), total, events);
        }
      }
    }
    progress.update(total, total, events);
    return new Stats(events, malformed, List.copyOf(errors));
  }
}
