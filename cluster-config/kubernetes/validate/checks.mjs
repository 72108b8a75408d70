// What every check module shares: the tally of checks, and the small readers of Kubernetes
// objects (pod templates, containers, label selectors, environment variables).

/** Counts passed checks and keeps each failure, named by the object it is about. */
export class Checks {
  constructor() {
    /** Checks that held. */
    this.passed = 0;
    /** One line per check that did not hold: "<object>: <what was expected>". */
    this.failures = [];
  }

  /** One check about subject: holds when ok is truthy; otherwise records `expected`. */
  expect(subject, ok, expected) {
    if (ok) {
      this.passed++;
    } else {
      this.failures.push(`${subject}: ${expected}`);
    }
    return Boolean(ok);
  }

  /** A check that did not hold. */
  fail(subject, expected) {
    return this.expect(subject, false, expected);
  }
}

/** "StatefulSet/layercake", as kubectl names objects. */
export function nameOf(object) {
  return `${object?.kind ?? "?"}/${object?.metadata?.name ?? "?"}`;
}

/**
 * The pod templates of a workload, each with its owner and where it sits: a Pod is its own
 * template, a CronJob's is two levels down, the other workloads keep it at spec.template.
 */
export function podTemplates(object) {
  const subject = nameOf(object);
  switch (object?.kind) {
    case "Pod":
      return [{ subject, metadata: object.metadata ?? {}, spec: object.spec ?? {} }];
    case "CronJob": {
      const template = object.spec?.jobTemplate?.spec?.template ?? {};
      return [{ subject, metadata: template.metadata ?? {}, spec: template.spec ?? {} }];
    }
    case "Deployment":
    case "StatefulSet":
    case "DaemonSet":
    case "ReplicaSet":
    case "ReplicationController":
    case "Job": {
      const template = object.spec?.template ?? {};
      return [{ subject, metadata: template.metadata ?? {}, spec: template.spec ?? {} }];
    }
    default:
      return [];
  }
}

/** Every container of a pod spec, init and ephemeral ones included, with the list it is in. */
export function allContainers(spec) {
  return ["initContainers", "containers", "ephemeralContainers"].flatMap((list) =>
    (spec[list] ?? []).map((container) => ({ list, container })));
}

/** Whether a LabelSelector (matchLabels and matchExpressions) selects these labels. */
export function selects(selector, labels = {}) {
  if (!selector) {
    return false;
  }
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  const byExpression = (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    switch (operator) {
      case "In":
        return key in labels && values.includes(labels[key]);
      case "NotIn":
        return !(key in labels) || !values.includes(labels[key]);
      case "Exists":
        return key in labels;
      case "DoesNotExist":
        return !(key in labels);
      default:
        return false;
    }
  });
  return byLabel && byExpression;
}

/** Whether a selector has any requirement at all: an empty one selects everything. */
export function isEmptySelector(selector) {
  return Object.keys(selector?.matchLabels ?? {}).length === 0 && (selector?.matchExpressions ?? []).length === 0;
}

/** A container's env entries by name: the literal value, or undefined for valueFrom. */
export function environment(container) {
  return new Map((container.env ?? []).map((entry) => [entry.name, entry.value]));
}

/**
 * A HOCON duration ("5s", "30 seconds", "1m", "500ms"; a bare number is milliseconds, as
 * Typesafe Config reads it) in seconds, or NaN when it is not one.
 */
export function durationSeconds(text) {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/.exec(String(text ?? ""));
  if (!match) {
    return NaN;
  }
  const units = {
    "": 0.001, ms: 0.001, millis: 0.001, milliseconds: 0.001,
    s: 1, second: 1, seconds: 1,
    m: 60, minute: 60, minutes: 60,
    h: 3600, hour: 3600, hours: 3600,
    d: 86400, day: 86400, days: 86400,
  };
  return match[2] in units ? Number(match[1]) * units[match[2]] : NaN;
}
