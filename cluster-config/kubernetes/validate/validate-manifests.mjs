// Validates the rendered layercake manifests: run through .ci/validate-kubernetes, which renders
// them with `kubectl kustomize` and installs this folder's packages.
//
//   node validate-manifests.mjs --repo DIR --rendered FILE [--rendered-by TEXT] [--self-test]
//
// FILE is the output of `kubectl kustomize` for cluster-config/kubernetes or an overlay of it.
// Checks, for the rendered objects and the *.example.yaml files in cluster-config/kubernetes:
// the Kubernetes schema of each kind, unknown fields, the restricted Pod Security Standard, and
// layercake's own rules (layercake-checks.mjs). Prints each failure, then one summary line; exits
// 1 when anything failed. --self-test also breaks the manifests in known ways (self-test.mjs) and
// fails unless each broken variant is rejected by the check meant to catch it.
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import { Checks } from "./checks.mjs";
import { checkLayercake, variablesReadBy } from "./layercake-checks.mjs";
import { checkRestrictedProfile } from "./pod-security.mjs";
import { checkSchemas, checkUnknownFields } from "./schema.mjs";

const NODE_MODULES = path.join(path.dirname(fileURLToPath(import.meta.url)), "node_modules");

/**
 * Every check on one set of manifests; resolves to the Checks and any notes. The self-test
 * leaves out the unknown-field check (a quarter of a second each time) where it does not test it.
 */
export async function validate({ rendered, examples, project }, { unknownFields = true } = {}) {
  const checks = new Checks();
  const notes = [];
  const all = [...rendered, ...examples];
  await checkSchemas(all, checks);
  if (unknownFields) {
    checkUnknownFields(all, checks, NODE_MODULES);
  }
  checkRestrictedProfile(rendered, checks);
  checkLayercake(rendered, examples, project, checks, notes);
  return { checks, notes };
}

/**
 * The objects of a YAML stream, read as Kubernetes reads YAML (1.1: `on` is true, `0440` octal).
 * Throws with the file name on a syntax error.
 */
export function readObjects(text, fileName) {
  const documents = parseAllDocuments(text, { version: "1.1" });
  const errors = documents.flatMap((document) => document.errors);
  if (errors.length > 0) {
    throw new Error(`${fileName}: ${errors.map((error) => error.message).join("; ")}`);
  }
  return documents.map((document) => document.toJS()).filter((object) => object !== null && object !== undefined);
}

/** The project's version: the <version> of the root pom.xml's own <project>, not a parent's or a dependency's. */
export function projectVersion(pom) {
  const own = pom
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/<(parent|profiles|dependencyManagement|dependencies|build|reporting|properties)>[\s\S]*?<\/\1>/g, "");
  const match = /<version>\s*([^<\s]+)\s*<\/version>/.exec(own);
  if (!match) {
    throw new Error("pom.xml: no <version> of the project");
  }
  return match[1];
}

/** The manifests' folder in the repository. */
const MANIFESTS = "cluster-config/kubernetes";

/** Reads what the checks compare the rendered objects with, from the repository. */
export function readProject(repo) {
  const read = (file) => readObjects(readFileSync(path.join(repo, MANIFESTS, file), "utf8"), file);
  const statefulset = read("statefulset.yaml").find((object) => object.kind === "StatefulSet");
  const kustomization = read("kustomization.yaml")[0];
  return {
    version: projectVersion(readFileSync(path.join(repo, "pom.xml"), "utf8")),
    referenceVariables: variablesReadBy(readFileSync(path.join(repo, "proxy-node/src/main/resources/reference.conf"), "utf8")),
    statefulsetImage: statefulset?.spec?.template?.spec?.containers?.find((c) => c.name === "layercake")?.image,
    kustomizationImages: kustomization?.images ?? [],
  };
}

/** The objects of each *.example.yaml among the manifests: documented, applied by hand. */
export function readExamples(repo) {
  const folder = path.join(repo, MANIFESTS);
  return readdirSync(folder).filter((file) => file.endsWith(".example.yaml")).sort()
    .flatMap((file) => readObjects(readFileSync(path.join(folder, file), "utf8"), file));
}

function argument(name, fallback) {
  const index = process.argv.indexOf(name);
  if (index >= 0 && index + 1 < process.argv.length) {
    return process.argv[index + 1];
  }
  if (fallback !== undefined) {
    return fallback;
  }
  throw new Error(`missing ${name}; usage: node validate-manifests.mjs --repo DIR --rendered FILE`
    + " [--rendered-by TEXT] [--self-test]");
}

async function main() {
  const repo = argument("--repo");
  const manifests = {
    rendered: readObjects(readFileSync(argument("--rendered"), "utf8"), "kubectl kustomize output"),
    examples: readExamples(repo),
    project: readProject(repo),
  };
  const { checks, notes } = await validate(manifests);
  for (const failure of checks.failures) {
    console.log(`FAIL ${failure}`);
  }
  for (const note of notes) {
    console.log(`note: ${note}`);
  }
  const models = JSON.parse(readFileSync(path.join(NODE_MODULES, "kubernetes-models/package.json"), "utf8")).version;
  let selfTest = "";
  let selfTestFailed = false;
  if (process.argv.includes("--self-test") && checks.failures.length > 0) {
    selfTest = "; self-test not run: it breaks manifests that pass";
  } else if (process.argv.includes("--self-test")) {
    const { runSelfTest } = await import("./self-test.mjs");
    const result = await runSelfTest(manifests, validate);
    for (const missed of result.missed) {
      console.log(`SELF-TEST FAIL ${missed}`);
    }
    selfTest = `; self-test: ${result.caught}/${result.variants} broken variants rejected`;
    selfTestFailed = result.missed.length > 0;
  }
  console.log(`validate-kubernetes: ${manifests.rendered.length} objects rendered by ${argument("--rendered-by", "kustomize")}`
    + ` and ${manifests.examples.length} example objects, schemas of kubernetes-models ${models}: ${checks.passed} passed,`
    + ` ${checks.failures.length} failed${selfTest}`);
  process.exitCode = checks.failures.length > 0 || selfTestFailed ? 1 : 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(`validate-kubernetes: ${error.message}`);
    process.exitCode = 2;
  });
}
