// LAYERCAKE_* variables the manifests may set although proxy-node's reference.conf does not read
// them. Every other LAYERCAKE_* variable in a manifest must be read by reference.conf, or by the
// profile the pod loads (kubernetes.conf), so that a misspelt or retired variable cannot be set
// silently.

/** Read by the image's launcher or by the node before any configuration: never in reference.conf. */
export const LAUNCHER_VARIABLES = {
  LAYERCAKE_JAVA_OPTS: "the JVM options of the image's entrypoint /opt/layercake/bin/layercake",
  LAYERCAKE_CONFIG_FILE: "the HOCON file the node loads, like -Dconfig.file",
};

/**
 * Being added to reference.conf in parallel (issue 9). Delete each line once reference.conf reads
 * the variable: the validator prints a note when it finds one listed here that it no longer needs.
 */
export const NOT_YET_IN_REFERENCE_CONF = {
  LAYERCAKE_CLUSTER_TLS_DIR: "layercake.cluster.tls-dir",
  LAYERCAKE_CLUSTER_INTERNAL_PORT: "layercake.cluster.internal-port",
  LAYERCAKE_HTTP_SHUTDOWN_DELAY: "layercake.http.shutdown-delay",
};
