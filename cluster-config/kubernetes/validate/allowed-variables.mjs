// LAYERCAKE_* variables the manifests may set although proxy-node's reference.conf does not read
// them: the one allowlist. Every other LAYERCAKE_* variable in a manifest must be read by reference.conf, or by the
// profile the pod loads (kubernetes.conf), so that a misspelt or retired variable cannot be set
// silently.

/** Read by the image's launcher or by the node before any configuration: never in reference.conf. */
export const LAUNCHER_VARIABLES = {
  LAYERCAKE_JAVA_OPTS: "the JVM options of the image's entrypoint /opt/layercake/bin/layercake",
  LAYERCAKE_CONFIG_FILE: "the HOCON file the node loads, like -Dconfig.file",
};
