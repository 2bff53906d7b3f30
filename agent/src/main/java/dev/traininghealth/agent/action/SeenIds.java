package dev.traininghealth.agent.action;

import java.util.LinkedHashMap;
import java.util.Map;

/** Command ids already handled in this run, the oldest forgotten past a capacity. */
final class SeenIds {
  private final Map<String, Boolean> ids;

  SeenIds(final int capacity) {
    this.ids =
        new LinkedHashMap<String, Boolean>(16, 0.75f, false) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > capacity;
          }
        };
  }

  /** Records {@code id}; false if it was already there. */
  boolean add(String id) {
    return ids.put(id, Boolean.TRUE) == null;
  }

  boolean contains(String id) {
    return ids.containsKey(id);
  }
}
