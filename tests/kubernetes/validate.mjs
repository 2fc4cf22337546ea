// Check Kubernetes manifests against the API's own schemas, as the
// kubernetes-models package generates them from Kubernetes' OpenAPI:
//   1. its runtime validation: types, formats, enums, required fields;
//   2. TypeScript's excess-property check against the same package's types,
//      which refuses a field the API does not have (a typo the API server
//      would drop or refuse).
// Prints "FILE: N objects valid" per file, or each problem as "FILE: object
// N: PROBLEM", and then exits 1.
//   node tests/kubernetes/validate.mjs FILE...
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

const here = dirname(fileURLToPath(import.meta.url));

// "apps/v1" -> kubernetes-models/apps/v1, "v1" -> kubernetes-models/v1.
const modulePath = (apiVersion, kind) => `kubernetes-models/${apiVersion}/${kind}`;

async function runtimeProblems(object) {
  const { apiVersion, kind } = object;
  let model;
  try {
    model = await import(modulePath(apiVersion, kind));
  } catch {
    return [`${kind} of ${apiVersion} is no kind the API has`];
  }
  try {
    new model[kind](object).validate();
    return [];
  } catch (error) {
    return [error.message];
  }
}

// Problems as [file, "object N: ..."] pairs.
function typeProblems(objects) {
  const dir = mkdtempSync(join(tmpdir(), "lockc-manifests-"));
  const starts = [];
  try {
    symlinkSync(join(here, "node_modules"), join(dir, "node_modules"));
    // One typed constant per object; starts[n] is the line where object n begins.
    const parts = objects.map(
      ({ object }, n) =>
        `import type { I${object.kind} as T${n} } from "${modulePath(object.apiVersion, object.kind)}";\n` +
        `export const o${n}: T${n} = ${JSON.stringify(object, null, 2)};\n`,
    );
    parts.reduce((line, part) => (starts.push(line), line + part.split("\n").length - 1), 1);
    writeFileSync(join(dir, "check.ts"), parts.join(""));
    const compilerOptions = {
      strict: true, noEmit: true, module: "nodenext", moduleResolution: "nodenext", types: [], skipLibCheck: true,
    };
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions, files: ["check.ts"] }));
    execFileSync(join(here, "node_modules/.bin/tsc"), ["--project", dir], { cwd: dir, encoding: "utf8" });
    return [];
  } catch (error) {
    const output = (error.stdout || error.message).trim();
    return output.split("\n").map((line) => {
      const match = /^check\.ts\((\d+),\d+\): error TS\d+: (.*)$/.exec(line);
      if (!match) return [objects[0].file, line];
      const n = starts.findLastIndex((start) => start <= Number(match[1]));
      return [objects[n].file, `object ${objects[n].index + 1}: ${match[2]}`];
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node tests/kubernetes/validate.mjs FILE...");
  process.exit(2);
}
const problems = new Map(files.map((file) => [file, []]));
const counts = new Map();
const typed = [];
for (const file of files) {
  const documents = parseAllDocuments(readFileSync(file, "utf8"));
  documents.forEach((document, index) => {
    for (const error of document.errors) problems.get(file).push(`object ${index + 1}: ${error.message}`);
  });
  const objects = documents.map((document) => document.toJS()).filter((object) => object !== null);
  counts.set(file, objects.length);
  for (const [index, object] of objects.entries()) {
    const found = await runtimeProblems(object);
    for (const problem of found) problems.get(file).push(`object ${index + 1}: ${problem}`);
    if (found.length === 0) typed.push({ file, index, object });
  }
}
if (typed.length) for (const [file, problem] of typeProblems(typed)) problems.get(file).push(problem);
let failed = false;
for (const [file, found] of problems) {
  const n = counts.get(file);
  if (found.length === 0) console.log(`${file}: ${n} object${n === 1 ? "" : "s"} valid`);
  for (const problem of found) console.log(`${file}: ${problem}`);
  failed ||= found.length > 0;
}
process.exit(failed ? 1 : 0);
