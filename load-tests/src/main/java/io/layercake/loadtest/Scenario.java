package io.layercake.loadtest;

/** One load scenario: it starts what it compares, measures, stops it, and describes the result. */
interface Scenario {

  /** Runs against the systems available on this machine and returns the report section. */
  Section run(Bench bench) throws Exception;
}
