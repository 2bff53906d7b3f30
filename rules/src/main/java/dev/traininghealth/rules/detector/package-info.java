/**
 * Streaming detectors: each watches one job's events and says whether its pathology is present
 * now, with the evidence. A detector is a pure function of the events and of the clock it is
 * given, so tests feed recorded streams and need no sleeping. Detectors keep fixed-size primitive
 * windows and allocate nothing on a healthy stream; their parameters, defaults and sources are in
 * each class's Javadoc, and {@link dev.traininghealth.rules.detector.DetectorCatalog} lists them
 * by the names rule files use.
 */
package dev.traininghealth.rules.detector;
