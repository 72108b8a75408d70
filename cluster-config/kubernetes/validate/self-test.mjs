// The validator's own test: each variant breaks a copy of the real manifests in one way, and
// must be rejected with a failure that names what broke. It runs only on manifests that pass. A check that stops catching its
// mistake, or a schema package that stops rejecting it, fails the run.

const statefulSet = (m) => m.rendered.find((object) => object.kind === "StatefulSet");
const pod = (m) => statefulSet(m).spec.template.spec;
const node = (m) => pod(m).containers.find((container) => container.name === "layercake");
const env = (m, name) => node(m).env.find((entry) => entry.name === name);
const networkPolicy = (m) => m.rendered.find((object) => object.kind === "NetworkPolicy");
const example = (m, kind, name) => m.examples.find((object) => object.kind === kind && object.metadata.name === name);
const without = (m, kind) => {
  m.rendered = m.rendered.filter((object) => object.kind !== kind);
};

/** [what breaks, the failure it must cause, how to break the manifests]. */
const VARIANTS = [
  // The schemas: unknown fields, wrong types, missing required fields, bad values.
  ["a typo'd container field", /unknown field spec\.template\.spec\.containers\[0\]\.imagePullPolicyy/,
    (m) => { node(m).imagePullPolicyy = "Always"; }],
  ["a typo'd pod field", /unknown field spec\.template\.spec\.terminationGracePeriod\b/,
    (m) => { pod(m).terminationGracePeriod = 75; }],
  ["a typo'd field in the cert-manager example", /Certificate\/layercake-cluster: unknown field spec\.privatekey/,
    (m) => { example(m, "Certificate", "layercake-cluster").spec.privatekey = {}; }],
  ["replicas as a string", /StatefulSet\/layercake: does not match .*replicas must be integer/,
    (m) => { statefulSet(m).spec.replicas = "3"; }],
  ["no selector", /StatefulSet\/layercake: does not match .*must have required property selector/,
    (m) => { delete statefulSet(m).spec.selector; }],
  ["a memory limit that is no quantity", /does not match .*memory must match format "quantity"/,
    (m) => { node(m).resources.limits.memory = "1 GB"; }],
  ["an unknown seccomp profile type", /does not match .*seccompProfile\/type must be equal to one of the allowed values/,
    (m) => { pod(m).securityContext.seccompProfile.type = "Default"; }],
  ["an unknown kind", /no schema known for apiVersion v1, kind ConfigMapp/,
    (m) => { m.rendered.find((object) => object.kind === "ConfigMap").kind = "ConfigMapp"; }],

  // The restricted profile.
  ["no seccomp profile", /restricted profile, Seccomp/, (m) => { delete pod(m).securityContext.seccompProfile; }],
  ["an unconfined container", /restricted profile, Seccomp/,
    (m) => { node(m).securityContext.seccompProfile = { type: "Unconfined" }; }],
  ["privilege escalation allowed", /restricted profile, Privilege Escalation/,
    (m) => { delete node(m).securityContext.allowPrivilegeEscalation; }],
  ["runAsNonRoot unset", /restricted profile, Running as Non-root:/, (m) => { delete pod(m).securityContext.runAsNonRoot; }],
  ["user 0", /restricted profile, Running as Non-root user/, (m) => { node(m).securityContext.runAsUser = 0; }],
  ["capabilities not dropped", /restricted profile, Capabilities/, (m) => { delete node(m).securityContext.capabilities; }],
  ["a capability added", /restricted profile, Capabilities/,
    (m) => { node(m).securityContext.capabilities.add = ["SYS_ADMIN"]; }],
  ["a privileged container", /restricted profile, Privileged Containers/, (m) => { node(m).securityContext.privileged = true; }],
  ["the host's network", /restricted profile, Host Namespaces/, (m) => { pod(m).hostNetwork = true; }],
  ["a hostPath volume", /restricted profile, Volume Types: volume host/,
    (m) => { pod(m).volumes.push({ name: "host", hostPath: { path: "/var/run" } }); }],
  ["a host port", /restricted profile, Host Ports/, (m) => { node(m).ports[0].hostPort = 5000; }],
  ["an unsafe sysctl", /restricted profile, Sysctls/,
    (m) => { pod(m).securityContext.sysctls = [{ name: "kernel.msgmax", value: "65536" }]; }],
  ["an unmasked /proc", /restricted profile, \/proc Mount Type/, (m) => { node(m).securityContext.procMount = "Unmasked"; }],
  ["an SELinux type of the host", /restricted profile, SELinux/, (m) => { pod(m).securityContext.seLinuxOptions = { type: "spc_t" }; }],
  ["AppArmor unconfined", /restricted profile, AppArmor/,
    (m) => { node(m).securityContext.appArmorProfile = { type: "Unconfined" }; }],
  ["a Windows host process", /restricted profile, HostProcess/,
    (m) => { pod(m).securityContext.windowsOptions = { hostProcess: true }; }],

  // layercake's own rules.
  ["a writable root filesystem", /readOnlyRootFilesystem must be true/,
    (m) => { node(m).securityContext.readOnlyRootFilesystem = false; }],
  ["/tmp not mounted", /\/tmp must be a writable emptyDir/,
    (m) => { node(m).volumeMounts = node(m).volumeMounts.filter((mount) => mount.mountPath !== "/tmp"); }],
  ["a wrong image tag", /StatefulSet\/layercake: image layercake:0\.0\.9 must be layercake:/,
    (m) => { node(m).image = "layercake:0.0.9"; }],
  ["statefulset.yaml behind the pom", /statefulset\.yaml: image layercake:0\.0\.9 must be/,
    (m) => { m.project.statefulsetImage = "layercake:0.0.9"; }],
  ["kustomization.yaml behind the pom", /kustomization\.yaml: an images: entry named layercake whose newTag/,
    (m) => { m.project.kustomizationImages = [{ name: "layercake", newTag: "0.0.9" }]; }],
  ["a command line of its own", /no command or args/, (m) => { node(m).command = ["java", "-jar", "/opt/layercake/layercake.jar"]; }],
  ["a misspelt variable", /LAYERCAKE_CLUSTER_TLS_DIRR is read neither/,
    (m) => { env(m, "LAYERCAKE_CLUSTER_TLS_DIR").name = "LAYERCAKE_CLUSTER_TLS_DIRR"; }],
  ["a variable that disagrees with its port", /LAYERCAKE_CLUSTER_INTERNAL_PORT \(25522\) must be set to container port "internal"/,
    (m) => { env(m, "LAYERCAKE_CLUSTER_INTERNAL_PORT").value = "25522"; }],
  ["a probe on a port the container lacks", /livenessProbe port htp must name/,
    (m) => { node(m).livenessProbe.httpGet.port = "htp"; }],
  ["readiness from the management port", /readinessProbe must be an httpGet of \/readyz on port "http"/,
    (m) => { node(m).readinessProbe.httpGet = { path: "/ready", port: "management" }; }],
  ["registry HTTPS with HTTP probes", /startupProbe scheme must be HTTPS/,
    (m) => { node(m).env.push({ name: "LAYERCAKE_HTTP_TLS_CERT", value: "/etc/layercake/registry-tls/tls.crt" }); }],
  ["a grace period shorter than the stop", /terminationGracePeriodSeconds \(55\) must exceed/,
    (m) => { pod(m).terminationGracePeriodSeconds = 55; }],
  ["a shutdown deadline raised alone", /terminationGracePeriodSeconds \(75\) must exceed .*deadline \(60 s\)/,
    (m) => { env(m, "LAYERCAKE_CLUSTER_SHUTDOWN_DEADLINE").value = "1m"; }],
  ["a preStop sleep", /no preStop hook/,
    (m) => { node(m).lifecycle = { preStop: { exec: { command: ["sleep", "5"] } } }; }],
  ["the profile not mounted", /LAYERCAKE_CONFIG_FILE \(\/etc\/layercake\/kubernetes\.conf\) must be a key/,
    (m) => { pod(m).volumes.find((volume) => volume.projected).projected.sources.shift(); }],
  ["the cluster TLS Secret not mounted", /LAYERCAKE_CLUSTER_TLS_DIR \(\/etc\/layercake\/cluster-tls\) must hold tls\.key/,
    (m) => { pod(m).volumes.find((volume) => volume.projected).projected.sources.pop(); }],
  ["the cluster TLS files writable", /must hold ca\.crt: .* mounted read-only/,
    (m) => { node(m).volumeMounts.find((mount) => mount.mountPath === "/etc/layercake").readOnly = false; }],
  ["no NetworkPolicy", /a NetworkPolicy must select these pods/, (m) => without(m, "NetworkPolicy")],
  ["remoting open to every source", /NetworkPolicy must admit port remoting \(25520\) only from pods/,
    (m) => { networkPolicy(m).spec.ingress.push({ ports: [{ port: 25520 }] }); }],
  ["management open to another namespace", /NetworkPolicy must admit port management \(8558\) only from pods/,
    (m) => { networkPolicy(m).spec.ingress.push({ from: [{ namespaceSelector: {} }], ports: [{ port: "management" }] }); }],
  ["the internal port open to every pod", /NetworkPolicy must admit port internal \(25521\) only from pods/,
    (m) => { networkPolicy(m).spec.ingress[0].from = [{ podSelector: {} }]; }],
  ["the registry port closed", /NetworkPolicy must admit the registry port/, (m) => { networkPolicy(m).spec.ingress.pop(); }],
  ["no PodDisruptionBudget", /exactly one PodDisruptionBudget/, (m) => without(m, "PodDisruptionBudget")],
  ["no spread over zones", /topology\.kubernetes\.io\/zone/,
    (m) => { pod(m).topologySpreadConstraints.pop(); }],
  ["a Service port the pods lack", /Service\/layercake: port http: targetPort htp must be a port/,
    (m) => { m.rendered.find((o) => o.kind === "Service" && o.metadata.name === "layercake").spec.ports[0].targetPort = "htp"; }],
  ["a node certificate without client auth", /usages must include server auth and client auth/,
    (m) => { example(m, "Certificate", "layercake-cluster").spec.usages = ["server auth"]; }],
  ["a node certificate with an ECDSA key", /privateKey must be RSA/,
    (m) => { example(m, "Certificate", "layercake-cluster").spec.privateKey.algorithm = "ECDSA"; }],
  ["an example among the resources", /examples must not be among its resources: Issuer\/layercake-selfsigned/,
    (m) => { m.rendered.push(structuredClone(example(m, "Issuer", "layercake-selfsigned"))); }],
];

/** Runs validate on every variant; resolves to how many were caught, and what each miss got instead. */
export async function runSelfTest(manifests, validate) {
  const missed = [];
  for (const [what, expected, breakIt] of VARIANTS) {
    const variant = structuredClone(manifests);
    try {
      breakIt(variant);
    } catch (error) {
      missed.push(`${what}: cannot break the manifests this way any more (${error.message}): update self-test.mjs`);
      continue;
    }
    const { checks } = await validate(variant, { unknownFields: /unknown field/.test(expected.source) });
    if (!checks.failures.some((failure) => expected.test(failure))) {
      missed.push(`${what}: expected a failure matching ${expected}, got ${JSON.stringify(checks.failures)}`);
    }
  }
  return { variants: VARIANTS.length, caught: VARIANTS.length - missed.length, missed };
}
