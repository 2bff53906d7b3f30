/**
 * The wire format that agents and daemons agree on: one immutable class per event type of
 * {@code shared/DESIGN.md}, and {@link dev.traininghealth.rules.event.EventCodec}, which turns
 * them into JSON and back and rejects malformed records with a reason.
 *
 * <p>The module compiles for Java 11 (training JVMs are often older than the daemon's), so the
 * value types are final classes with record-style accessors instead of records.
 */
package dev.traininghealth.rules.event;
