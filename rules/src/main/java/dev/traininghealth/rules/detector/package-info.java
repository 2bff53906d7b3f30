/**
 * Streaming detectors: each watches one job's events and says whether its pathology is present
 * now, with the evidence. A detector is a pure function of the events and of the clock it is
 * given, so tests feed recorded streams and need no sleeping.
 */
package dev.traininghealth.rules.detector;
