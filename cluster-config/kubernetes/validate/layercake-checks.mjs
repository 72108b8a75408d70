// What the layercake manifests must say for the node to work and stay safe: the image of this
// version with its own entrypoint, known LAYERCAKE_* variables, ports that agree with the
// variables, probes on /livez and /readyz, a grace period longer than the graceful stop, the
// profile and cluster TLS files where the variables point, a NetworkPolicy that keeps the
// cluster's ports to the pods themselves, a PodDisruptionBudget and topology spread.
import { LAUNCHER_VARIABLES } from "./allowed-variables.mjs";
import { durationSeconds, environment, isEmptySelector, nameOf, podTemplates, selects } from "./checks.mjs";

/** The container ports the node needs, by name: the registry API and the cluster's own three. */
const PORTS = { http: 5000, remoting: 25520, internal: 25521, management: 8558 };

/** The ports only the layercake pods may reach. */
const CLUSTER_PORTS = ["remoting", "internal", "management"];

/** The variable that sets each named port, where there is one. */
const PORT_VARIABLES = {
  http: "LAYERCAKE_HTTP_PORT",
  remoting: "LAYERCAKE_CLUSTER_PORT",
  internal: "LAYERCAKE_CLUSTER_INTERNAL_PORT",
};

/** Shard hand-off and leaving the cluster after the drain, in seconds (cluster-config/README.md). */
const HAND_OFF_SECONDS = 20;

/** The files LAYERCAKE_CLUSTER_TLS_DIR must hold. */
const CLUSTER_TLS_FILES = ["tls.key", "tls.crt", "ca.crt"];

/** The Secret the cluster TLS files come from (cluster-tls.example.yaml makes it). */
const CLUSTER_TLS_SECRET = "layercake-cluster-tls";

/**
 * Runs every layercake check. `project` holds what the checks compare with: the version of the
 * root pom.xml, the variables reference.conf reads, the image in statefulset.yaml and the images:
 * entries of kustomization.yaml. Notes that are no failure go to `notes`.
 */
export function checkLayercake(rendered, examples, project, checks, notes) {
  const nodes = rendered.flatMap(podTemplates)
    .map((template) => ({ ...template, container: (template.spec.containers ?? []).find((c) => c.name === "layercake") }))
    .filter(({ container }) => container);
  if (!checks.expect("manifests", nodes.length === 1, `exactly one workload with a container "layercake" (found ${nodes.length})`)) {
    return;
  }
  const node = nodes[0];
  checkImage(node, project, checks);
  checkVariables(node, rendered, project, checks);
  checkPorts(node, checks);
  checkProbes(node, checks);
  checkGracefulStop(node, checks);
  checkFiles(node, rendered, checks);
  checkHardening(node, checks);
  checkNetworkPolicy(node, rendered, checks);
  checkDisruptionBudget(node, rendered, checks);
  checkTopologySpread(node, checks);
  checkServices(node, rendered, checks);
  checkClusterTlsExample(examples, checks);
  const deployedExamples = examples.filter((example) =>
    rendered.some((object) => nameOf(object) === nameOf(example) && object.apiVersion === example.apiVersion));
  checks.expect("kustomization.yaml", deployedExamples.length === 0,
    `the examples must not be among its resources: ${deployedExamples.map(nameOf).join(", ")}`);
}

function checkImage({ subject, container }, project, checks) {
  const expected = `layercake:${project.version}`;
  checks.expect(subject, container.image === expected || container.image?.endsWith(`/${expected}`),
    `image ${container.image} must be ${expected} (the version in the root pom.xml), or that name in another registry`);
  checks.expect("statefulset.yaml", project.statefulsetImage === expected,
    `image ${project.statefulsetImage} must be ${expected} (the version in the root pom.xml)`);
  const entry = project.kustomizationImages.find((image) => image.name === "layercake");
  checks.expect("kustomization.yaml", entry && (entry.newTag ?? project.version) === project.version,
    `an images: entry named layercake whose newTag is ${project.version} (found ${JSON.stringify(entry)})`);
}

function checkVariables({ subject, spec, container }, rendered, project, checks) {
  const profile = resolveFile(spec, container, environment(container).get("LAYERCAKE_CONFIG_FILE"), rendered);
  const profileVariables = variablesReadBy(profile?.content ?? "");
  for (const { name } of (container.env ?? []).filter(({ name }) => name.startsWith("LAYERCAKE_"))) {
    const known = project.referenceVariables.has(name) || profileVariables.has(name)
      || name in LAUNCHER_VARIABLES;
    checks.expect(subject, known, `${name} is read neither by reference.conf, nor by the profile`
      + " in LAYERCAKE_CONFIG_FILE, nor listed in validate/allowed-variables.mjs: misspelt or retired?");
  }
}

/** The LAYERCAKE_* variables a HOCON text substitutes: ${VAR} and ${?VAR}. */
export function variablesReadBy(hocon) {
  return new Set([...hocon.matchAll(/\$\{\??\s*(LAYERCAKE_[A-Z0-9_]+)\s*\}/g)].map((match) => match[1]));
}

function checkPorts({ subject, container }, checks) {
  const env = environment(container);
  for (const [name, number] of Object.entries(PORTS)) {
    const port = (container.ports ?? []).find((p) => p.name === name);
    checks.expect(subject, port?.containerPort === number, `container port "${name}" must be ${number}`);
    const variable = PORT_VARIABLES[name];
    if (variable) {
      checks.expect(subject, Number(env.get(variable)) === port?.containerPort,
        `${variable} (${env.get(variable)}) must be set to container port "${name}" (${port?.containerPort})`);
    }
  }
}

function checkProbes({ subject, container }, checks) {
  const https = environment(container).has("LAYERCAKE_HTTP_TLS_CERT");
  const expected = { startupProbe: "/livez", livenessProbe: "/livez", readinessProbe: "/readyz" };
  for (const [probe, path] of Object.entries(expected)) {
    const action = container[probe]?.httpGet;
    checks.expect(subject, action?.path === path && action?.port === "http",
      `${probe} must be an httpGet of ${path} on port "http"`);
    checks.expect(subject, (action?.scheme ?? "HTTP") === (https ? "HTTPS" : "HTTP"),
      `${probe} scheme must be ${https ? "HTTPS, since LAYERCAKE_HTTP_TLS_CERT is set" : "HTTP, since LAYERCAKE_HTTP_TLS_CERT is not set"}`);
  }
  // Every probe of every container, whatever it checks, must aim at a port the container has.
  for (const probe of ["startupProbe", "livenessProbe", "readinessProbe"]) {
    const action = container[probe]?.httpGet ?? container[probe]?.tcpSocket ?? container[probe]?.grpc;
    if (action) {
      checks.expect(subject, hasPort(container, action.port),
        `${probe} port ${action.port} must name or number one of the container's ports`);
    }
  }
}

function hasPort(container, port) {
  return (container.ports ?? []).some((p) => p.name === port || p.containerPort === port);
}

function checkGracefulStop({ subject, spec, container }, checks) {
  const env = environment(container);
  const delay = durationSeconds(env.get("LAYERCAKE_HTTP_SHUTDOWN_DELAY"));
  const deadline = durationSeconds(env.get("LAYERCAKE_CLUSTER_SHUTDOWN_DEADLINE"));
  checks.expect(subject, !Number.isNaN(delay) && !Number.isNaN(deadline),
    "LAYERCAKE_HTTP_SHUTDOWN_DELAY and LAYERCAKE_CLUSTER_SHUTDOWN_DEADLINE must be set as durations (\"5s\"),"
    + " so that the grace period can be checked against them");
  const grace = spec.terminationGracePeriodSeconds ?? 30;
  checks.expect(subject, grace > delay + deadline + HAND_OFF_SECONDS,
    `terminationGracePeriodSeconds (${grace}) must exceed shutdown delay (${delay} s) + shutdown deadline`
    + ` (${deadline} s) + hand-off (${HAND_OFF_SECONDS} s)`);
  checks.expect(subject, !container.lifecycle?.preStop,
    "no preStop hook: LAYERCAKE_HTTP_SHUTDOWN_DELAY keeps the node serving while endpoints are updated");
}

function checkFiles({ subject, spec, container }, rendered, checks) {
  const env = environment(container);
  const profilePath = env.get("LAYERCAKE_CONFIG_FILE");
  const profile = resolveFile(spec, container, profilePath, rendered);
  checks.expect(subject, profile?.content !== undefined,
    `LAYERCAKE_CONFIG_FILE (${profilePath}) must be a key of a ConfigMap among the manifests, mounted there`);

  const tlsDir = env.get("LAYERCAKE_CLUSTER_TLS_DIR");
  for (const file of CLUSTER_TLS_FILES) {
    const resolved = tlsDir && resolveFile(spec, container, `${tlsDir}/${file}`, rendered);
    checks.expect(subject, resolved?.kind === "secret" && resolved.name === CLUSTER_TLS_SECRET
      && resolved.key === file && resolved.readOnly,
    `LAYERCAKE_CLUSTER_TLS_DIR (${tlsDir}) must hold ${file}: key ${file} of the Secret ${CLUSTER_TLS_SECRET}, mounted read-only`);
  }
  const tmp = (container.volumeMounts ?? []).find((mount) => mount.mountPath === "/tmp");
  const tmpVolume = (spec.volumes ?? []).find((volume) => volume.name === tmp?.name);
  checks.expect(subject, tmpVolume?.emptyDir && !tmp.readOnly,
    "/tmp must be a writable emptyDir: the JVM and RocksDB's native library need it under a read-only root");
}

/**
 * Where a file in the container comes from: the mount whose path holds it, then the volume (or
 * projected source) and key that provide it. `content` is the data of a ConfigMap key among the
 * rendered objects. Undefined when no mount holds the path.
 */
export function resolveFile(spec, container, filePath, rendered = []) {
  if (!filePath) {
    return undefined;
  }
  const mount = (container.volumeMounts ?? [])
    .filter((m) => filePath.startsWith(`${m.mountPath.replace(/\/$/, "")}/`))
    .sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
  const volume = mount && (spec.volumes ?? []).find((v) => v.name === mount.name);
  if (!volume) {
    return undefined;
  }
  const inVolume = [mount.subPath, filePath.slice(mount.mountPath.replace(/\/$/, "").length + 1)].filter(Boolean).join("/");
  const sources = volume.projected
    ? (volume.projected.sources ?? []).flatMap((source) =>
      ["configMap", "secret"].filter((kind) => source[kind]).map((kind) => ({ kind, source: source[kind] })))
    : ["configMap", "secret"].filter((kind) => volume[kind]).map((kind) => ({ kind, source: volume[kind] }));
  for (const { kind, source } of sources) {
    const key = source.items ? source.items.find((item) => item.path === inVolume)?.key : inVolume;
    if (key !== undefined && (source.items || !inVolume.includes("/"))) {
      const name = kind === "secret" && !volume.projected ? source.secretName : source.name;
      const configMap = kind === "configMap"
        ? rendered.find((object) => object.kind === "ConfigMap" && object.metadata?.name === name) : undefined;
      return { kind, name, key, readOnly: mount.readOnly === true, content: configMap?.data?.[key] };
    }
  }
  return undefined;
}

function checkHardening({ subject, container }, checks) {
  checks.expect(subject, container.securityContext?.readOnlyRootFilesystem === true,
    "securityContext.readOnlyRootFilesystem must be true");
  checks.expect(subject, !container.command && !container.args,
    "no command or args: the image's entrypoint runs the node (with LAYERCAKE_JAVA_OPTS) and its command is serve");
}

function checkNetworkPolicy({ subject, metadata, container }, rendered, checks) {
  const labels = metadata.labels ?? {};
  const policies = rendered.filter((object) => object.kind === "NetworkPolicy"
    && selects(object.spec?.podSelector, labels)
    && (object.spec?.policyTypes ?? ["Ingress"]).includes("Ingress"));
  if (!checks.expect(subject, policies.length > 0, "a NetworkPolicy must select these pods for Ingress")) {
    return;
  }
  const rules = policies.flatMap((policy) => policy.spec.ingress ?? []);
  const portOf = (name) => (container.ports ?? []).find((p) => p.name === name);
  const admits = (rule, port) => !rule.ports?.length || rule.ports.some((allowed) =>
    (allowed.protocol ?? "TCP") === (port.protocol ?? "TCP")
    && (allowed.port === undefined || allowed.port === port.name
      || (allowed.port <= port.containerPort && port.containerPort <= (allowed.endPort ?? allowed.port))));
  for (const name of CLUSTER_PORTS) {
    const port = portOf(name);
    const open = rules.filter((rule) => port && admits(rule, port) && !(rule.from?.length && rule.from.every((peer) =>
      peer.podSelector && !peer.namespaceSelector && !peer.ipBlock
      && !isEmptySelector(peer.podSelector) && selects(peer.podSelector, labels))));
    checks.expect(subject, port && open.length === 0,
      `NetworkPolicy must admit port ${name} (${port?.containerPort}) only from pods labelled like these`
      + ` (podSelector matching ${JSON.stringify(labels)}), not from ${JSON.stringify(open.map((rule) => rule.from ?? "anywhere"))}`);
  }
  const http = portOf("http");
  checks.expect(subject, http && rules.some((rule) => admits(rule, http)),
    "NetworkPolicy must admit the registry port http: clients and the kubelet's probes use it");
}

function checkDisruptionBudget({ subject, metadata }, rendered, checks) {
  const budgets = rendered.filter((object) => object.kind === "PodDisruptionBudget"
    && selects(object.spec?.selector, metadata.labels));
  checks.expect(subject, budgets.length === 1 && budgets[0].spec.maxUnavailable === 1,
    "exactly one PodDisruptionBudget must select these pods, with maxUnavailable: 1");
}

function checkTopologySpread({ subject, metadata, spec }, checks) {
  const constraints = spec.topologySpreadConstraints ?? [];
  const spreads = (key, when) => constraints.some((constraint) => constraint.topologyKey === key
    && constraint.whenUnsatisfiable === when && selects(constraint.labelSelector, metadata.labels));
  checks.expect(subject, spreads("kubernetes.io/hostname", "DoNotSchedule"),
    "topologySpreadConstraints must spread these pods over kubernetes.io/hostname (DoNotSchedule)");
  checks.expect(subject, spreads("topology.kubernetes.io/zone", "ScheduleAnyway"),
    "topologySpreadConstraints must spread these pods over topology.kubernetes.io/zone (ScheduleAnyway)");
}

function checkServices({ metadata, container }, rendered, checks) {
  for (const service of rendered.filter((object) => object.kind === "Service"
    && object.spec?.selector && selects({ matchLabels: object.spec.selector }, metadata.labels))) {
    for (const port of service.spec.ports ?? []) {
      checks.expect(nameOf(service), hasPort(container, port.targetPort ?? port.port),
        `port ${port.name ?? port.port}: targetPort ${port.targetPort ?? port.port} must be a port of container layercake`);
    }
  }
}

function checkClusterTlsExample(examples, checks) {
  const certificates = examples.filter((object) => object.kind === "Certificate"
    && object.spec?.secretName === CLUSTER_TLS_SECRET);
  if (!checks.expect("cluster-tls.example.yaml", certificates.length === 1,
    `exactly one cert-manager Certificate with secretName ${CLUSTER_TLS_SECRET}`)) {
    return;
  }
  const certificate = certificates[0];
  const { privateKey = {}, usages = [], issuerRef = {} } = certificate.spec;
  checks.expect(nameOf(certificate), privateKey.algorithm === "RSA" && ["PKCS8", "PKCS1"].includes(privateKey.encoding ?? "PKCS1"),
    "privateKey must be RSA in PKCS#8 or PKCS#1: what Akka's TLS remoting reads");
  checks.expect(nameOf(certificate), usages.includes("server auth") && usages.includes("client auth"),
    "usages must include server auth and client auth: every node is both");
  checks.expect(nameOf(certificate), certificate.spec.commonName === "layercake-cluster",
    "commonName must be layercake-cluster, the subject name all the nodes share");
  const issuer = examples.find((object) => object.kind === (issuerRef.kind ?? "Issuer")
    && object.metadata?.name === issuerRef.name);
  checks.expect(nameOf(certificate), issuer?.spec?.ca?.secretName,
    `issuerRef must name a CA Issuer among the examples: the node certificate comes directly from the root CA in ca.crt`);
}
