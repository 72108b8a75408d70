// The "restricted" Pod Security Standard, control by control, for every pod template: the
// controls of the baseline profile, which restricted includes, then restricted's own. They follow
// https://kubernetes.io/docs/concepts/security/pod-security-standards/ (policy version "latest",
// Kubernetes 1.34): a namespace labelled pod-security.kubernetes.io/enforce=restricted admits
// exactly the pods that pass all of them.
import { allContainers, podTemplates } from "./checks.mjs";

/** Baseline, Sysctls: the only sysctls a pod may set. */
const SAFE_SYSCTLS = new Set([
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
]);

/** Baseline, SELinux: the only seLinuxOptions.type values. */
const SELINUX_TYPES = new Set(["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"]);

/** Restricted, Volume Types: the only volume sources a pod may use (no hostPath among them). */
const RESTRICTED_VOLUME_TYPES = new Set([
  "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret",
]);

/** Restricted, Seccomp: the only profile types. */
const SECCOMP_TYPES = new Set(["RuntimeDefault", "Localhost"]);

/** Restricted, Capabilities: the only capability a container may add after dropping ALL. */
const ADDABLE_CAPABILITIES = new Set(["NET_BIND_SERVICE"]);

/** Checks every pod template among objects against each control of the restricted profile. */
export function checkRestrictedProfile(objects, checks) {
  for (const template of objects.flatMap(podTemplates)) {
    for (const [control, offences] of Object.entries(restrictedOffences(template))) {
      checks.expect(template.subject, offences.length === 0, `restricted profile, ${control}: ${offences.join("; ")}`);
    }
  }
}

/** Per control, what breaks it in this pod template (empty when it holds). */
function restrictedOffences({ metadata, spec }) {
  const pod = spec.securityContext ?? {};
  const containers = allContainers(spec);
  const where = ({ list, container }) => `${list} ${container.name}`;
  const offending = (test, describe) => containers.filter(test).map((c) => `${where(c)}: ${describe(c.container)}`);
  const annotations = metadata.annotations ?? {};

  return {
    // Baseline.
    "HostProcess": [
      ...(pod.windowsOptions?.hostProcess ? ["spec.securityContext.windowsOptions.hostProcess is true"] : []),
      ...offending(({ container }) => container.securityContext?.windowsOptions?.hostProcess,
        () => "securityContext.windowsOptions.hostProcess is true"),
    ],
    "Host Namespaces": ["hostNetwork", "hostPID", "hostIPC"].filter((field) => spec[field]).map((field) => `spec.${field} is true`),
    "Privileged Containers": offending(({ container }) => container.securityContext?.privileged,
      () => "securityContext.privileged is true"),
    "Host Ports": offending(({ container }) => (container.ports ?? []).some((port) => port.hostPort),
      (container) => `hostPort ${container.ports.filter((port) => port.hostPort).map((port) => port.hostPort).join(", ")}`),
    "AppArmor": [
      ...Object.entries(annotations)
        .filter(([key, value]) => key.startsWith("container.apparmor.security.beta.kubernetes.io/")
          && value !== "runtime/default" && !value.startsWith("localhost/"))
        .map(([key, value]) => `annotation ${key}: ${value}`),
      ...(badAppArmor(pod.appArmorProfile) ? [`spec.securityContext.appArmorProfile.type ${pod.appArmorProfile.type}`] : []),
      ...offending(({ container }) => badAppArmor(container.securityContext?.appArmorProfile),
        (container) => `securityContext.appArmorProfile.type ${container.securityContext.appArmorProfile.type}`),
    ],
    "SELinux": [
      ...(badSeLinux(pod.seLinuxOptions) ? ["spec.securityContext.seLinuxOptions sets a user, role or type"] : []),
      ...offending(({ container }) => badSeLinux(container.securityContext?.seLinuxOptions),
        () => "securityContext.seLinuxOptions sets a user, role or type"),
    ],
    "/proc Mount Type": offending(({ container }) => (container.securityContext?.procMount ?? "Default") !== "Default",
      (container) => `securityContext.procMount ${container.securityContext.procMount}`),
    "Sysctls": (pod.sysctls ?? []).filter(({ name }) => !SAFE_SYSCTLS.has(name)).map(({ name }) => `sysctl ${name}`),

    // Restricted.
    "Volume Types": (spec.volumes ?? [])
      .filter((volume) => !Object.keys(volume).some((key) => key !== "name" && RESTRICTED_VOLUME_TYPES.has(key)))
      .map((volume) => `volume ${volume.name}: ${Object.keys(volume).filter((key) => key !== "name").join(", ")}`),
    "Privilege Escalation": offending(({ container }) => container.securityContext?.allowPrivilegeEscalation !== false,
      () => "securityContext.allowPrivilegeEscalation must be false"),
    "Running as Non-root": [
      ...(pod.runAsNonRoot === false ? ["spec.securityContext.runAsNonRoot is false"] : []),
      ...offending(({ container }) => pod.runAsNonRoot === true
        ? container.securityContext?.runAsNonRoot === false
        : container.securityContext?.runAsNonRoot !== true,
      () => "runAsNonRoot must be true, here or in spec.securityContext"),
    ],
    "Running as Non-root user": [
      ...(pod.runAsUser === 0 ? ["spec.securityContext.runAsUser is 0"] : []),
      ...offending(({ container }) => container.securityContext?.runAsUser === 0, () => "securityContext.runAsUser is 0"),
    ],
    "Seccomp": [
      ...(pod.seccompProfile && !SECCOMP_TYPES.has(pod.seccompProfile.type)
        ? [`spec.securityContext.seccompProfile.type ${pod.seccompProfile.type}`] : []),
      ...offending(({ container }) => {
        const type = container.securityContext?.seccompProfile?.type;
        return type === undefined ? !SECCOMP_TYPES.has(pod.seccompProfile?.type) : !SECCOMP_TYPES.has(type);
      }, () => "seccompProfile.type must be RuntimeDefault or Localhost, here or in spec.securityContext"),
    ],
    "Capabilities": offending(({ container }) => {
      const capabilities = container.securityContext?.capabilities ?? {};
      return !(capabilities.drop ?? []).includes("ALL") || (capabilities.add ?? []).some((add) => !ADDABLE_CAPABILITIES.has(add));
    }, () => "securityContext.capabilities must drop ALL and add nothing but NET_BIND_SERVICE"),
  };
}

function badAppArmor(profile) {
  return profile !== undefined && profile.type !== "RuntimeDefault" && profile.type !== "Localhost";
}

function badSeLinux(options) {
  return options !== undefined && (options.user || options.role || !SELINUX_TYPES.has(options.type ?? ""));
}
