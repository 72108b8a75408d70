// Schema checks: every object against the Kubernetes OpenAPI schema of its kind, and a strict
// check for fields that no schema knows.
//
// kubernetes-models validates with the official OpenAPI schemas (compiled ajv validators): types,
// required fields, enums and formats such as quantities. Those schemas do not forbid unknown
// fields, though (the API server prunes or, with strict field validation, rejects them), so a
// typo such as `imagePullPolicyy` would pass. The strict check closes that gap with the same
// package's TypeScript declarations, which are generated from the same schemas: each object
// becomes an object literal typed as its kind, and TypeScript's checker tells, for every nested
// literal, which type it is expected to be, so that each property can be looked up in it.
import path from "node:path";
import ts from "typescript";
import { nameOf } from "./checks.mjs";

/** API groups served by a package other than kubernetes-models, with their models. */
const CUSTOM_RESOURCE_PACKAGES = {
  "cert-manager.io": "@kubernetes-models/cert-manager",
};

/** The module of an object's model ("kubernetes-models/apps/v1/StatefulSet"), from apiVersion and kind. */
function modelModule(object) {
  const apiVersion = String(object.apiVersion ?? "");
  const kind = String(object.kind ?? "");
  if (!/^([a-z0-9.-]+\/)?v[0-9a-z]+$/.test(apiVersion) || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) {
    return undefined;
  }
  const group = apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
  const packageName = CUSTOM_RESOURCE_PACKAGES[group] ?? "kubernetes-models";
  return `${packageName}/${apiVersion}/${kind}`;
}

/**
 * Validates each object with its kind's model: the OpenAPI schema of that apiVersion and kind.
 * An object whose kind no model describes fails too.
 */
export async function checkSchemas(objects, checks) {
  for (const object of objects) {
    const module = modelModule(object);
    let Model;
    try {
      Model = module && (await import(module))[object.kind];
    } catch {
      Model = undefined;
    }
    if (!checks.expect(nameOf(object), Model, `no schema known for apiVersion ${object.apiVersion}, kind ${object.kind}`)) {
      continue;
    }
    try {
      new Model(object).validate();
      checks.expect(nameOf(object), true);
    } catch (error) {
      checks.fail(nameOf(object), `does not match the ${object.apiVersion} ${object.kind} schema: ${error.message}`);
    }
  }
}

/** The TypeScript program of the previous call, whose parsed declaration files the next one reuses. */
let previousProgram;

/**
 * Fails every field that the schema of the object it sits in does not declare, with its path
 * ("spec.template.spec.containers[0].imagePullPolicyy"). Objects without a model are skipped
 * (checkSchemas fails them), and so are the insides of free-form fields (typed `any`).
 */
export function checkUnknownFields(objects, checks, nodeModulesDir) {
  const typed = objects.map((object) => ({ object, module: modelModule(object) })).filter(({ module }) => module);
  const file = path.join(path.dirname(nodeModulesDir), "__manifests__.ts");
  const source = typed.map(({ object, module }, i) =>
    `import type { I${object.kind} as T${i} } from ${JSON.stringify(module)};\n`
    + `export const object${i}: T${i} = ${JSON.stringify(object, null, 1)};\n`).join("");

  const options = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    lib: ["lib.es2022.d.ts"],
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
  };
  const host = ts.createCompilerHost(options);
  const readSource = host.getSourceFile.bind(host);
  const exists = host.fileExists.bind(host);
  host.getSourceFile = (name, language, ...rest) =>
    name === file ? ts.createSourceFile(name, source, language, true) : readSource(name, language, ...rest);
  host.fileExists = (name) => name === file || exists(name);
  const program = ts.createProgram([file], options, host, previousProgram);
  previousProgram = program;
  const checker = program.getTypeChecker();
  const sourceFile = program.getSourceFile(file);

  let declaration = 0;
  for (const statement of sourceFile.statements) {
    if (!ts.isVariableStatement(statement)) {
      continue;
    }
    const { object } = typed[declaration++];
    const literal = statement.declarationList.declarations[0].initializer;
    const declaredType = checker.getContextualType(literal);
    if (!checks.expect(nameOf(object), declaredType && !(declaredType.flags & ts.TypeFlags.Any),
      `no TypeScript declaration for ${object.apiVersion} ${object.kind}`)) {
      continue;
    }
    const unknown = [];
    visitObjectLiterals(literal, (node) => {
      const type = checker.getContextualType(node);
      if (!type || type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) {
        return false;
      }
      for (const property of node.properties) {
        const name = property.name && ts.isStringLiteral(property.name) ? property.name.text : undefined;
        if (name !== undefined && !declares(checker, type, name)) {
          unknown.push(pathOf(property));
        }
      }
      return true;
    });
    checks.expect(nameOf(object), true);
    for (const field of unknown) {
      checks.fail(nameOf(object), `unknown field ${field} (not in the ${object.apiVersion} ${object.kind} schema)`);
    }
  }
}

/** Calls visit on each object literal under node, outermost first; descends only where visit returns true. */
function visitObjectLiterals(node, visit) {
  if (ts.isObjectLiteralExpression(node) && !visit(node)) {
    return;
  }
  ts.forEachChild(node, (child) => visitObjectLiterals(child, visit));
}

/** Whether an object type (or any member of a union of them) has this property or an index signature. */
function declares(checker, type, name) {
  const members = type.isUnion() ? type.types : [type];
  return members.some((member) =>
    member.flags & ts.TypeFlags.Any
    || checker.getPropertyOfType(member, name) !== undefined
    || checker.getIndexInfosOfType(member).length > 0);
}

/** "spec.template.spec.containers[0].image": the path of a property inside its top-level literal. */
function pathOf(property) {
  const parts = [];
  let node = property;
  while (node && !ts.isVariableDeclaration(node)) {
    if (ts.isPropertyAssignment(node)) {
      parts.unshift(`.${node.name.text}`);
    } else if (ts.isArrayLiteralExpression(node.parent)) {
      parts.unshift(`[${node.parent.elements.indexOf(node)}]`);
    }
    node = node.parent;
  }
  return parts.join("").replace(/^\./, "");
}
