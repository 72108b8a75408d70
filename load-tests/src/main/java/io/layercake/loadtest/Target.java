package io.layercake.loadtest;

/**
 * One acceptance target and how the run fared against it.
 *
 * @param scenario the scenario that measured it
 * @param goal the target, such as {@code >= 0.9x nginx static file}
 * @param measured what was measured, ratio and absolute numbers
 * @param met whether the target holds in this run
 */
record Target(String scenario, String goal, String measured, boolean met) {}
