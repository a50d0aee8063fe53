// SPDX-License-Identifier: MIT
// Check docs/openapi.yaml three ways: (1) it is valid OpenAPI 3.0 (@apidevtools/swagger-parser:
// the OAS 3.0 JSON schema and every $ref); (2) every status docs/api.md gives an endpoint is a
// response of that operation; (3) every recorded exchange with the reference course site (and
// every result a grader posted) matches the operation's schemas (ajv, JSON Schema draft-04,
// which OpenAPI 3.0's schema objects follow).
// usage: node openapi_check.mjs NODE_MODULES OPENAPI_YAML API_MD EXCHANGES_JSON
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [nodeModules, specPath, apiMd, exchangesPath] = process.argv.slice(2);
const load = async (rel) => (await import(pathToFileURL(path.join(nodeModules, rel)).href)).default;
const SwaggerParser = await load("@apidevtools/swagger-parser/lib/index.js");
const Ajv04 = await load("ajv-draft-04/dist/index.js");
const addFormats = await load("ajv-formats/dist/index.js");

let bad = 0;
const problem = (msg) => {
  console.log("problem: " + msg);
  bad++;
};

// ---- (1) a valid OpenAPI document ----------------------------------------------------------
let api;
try {
  await SwaggerParser.validate(specPath);
  api = await SwaggerParser.dereference(specPath);
  console.log(`${specPath}: valid OpenAPI ${api.openapi}, ${Object.keys(api.paths).length} paths`);
} catch (e) {
  console.log(`${specPath}: not valid OpenAPI: ${e.message}`);
  process.exit(1);
}

// ---- (2) docs/api.md's statuses are responses of the same operation -----------------------
// "### 5.4 `POST {base}/jobs/{job_id}/heartbeat`: ..." -> its operation in the OpenAPI file.
const sections = {
  "POST {base}/claim": ["/claim", "post"],
  "GET files_url": ["/problems/{problem_id}/{revision}/files", "get"],
  "GET url": ["/blobs/{sha256}", "get"],
  "POST {base}/jobs/{job_id}/heartbeat": ["/jobs/{job_id}/heartbeat", "post"],
  "POST {base}/jobs/{job_id}/result": ["/jobs/{job_id}/result", "post"],
  "POST {base}/jobs/{job_id}/release": ["/jobs/{job_id}/release", "post"],
  "GET {base}/queues": ["/queues", "get"],
};
const md = fs.readFileSync(apiMd, "utf8");
const common = (md.match(/## 4\. Status codes([\s\S]*?)\n## 5\./) || ["", ""])[1];
// every endpoint may get 401, 403, 429 and 5xx (§4)
const everywhere = ["401", "403", "429", "5XX"].filter((s) => common.includes(s.replace("XX", "xx")));
let checked = 0;
for (const m of md.matchAll(/^### 5\.\d+ `([^`]+)`[^\n]*\n([\s\S]*?)(?=^### |^## )/gm)) {
  const [, title, body] = m;
  const target = sections[title];
  if (!target) {
    problem(`docs/api.md section "${title}" has no operation in this check`);
    continue;
  }
  const op = api.paths[target[0]]?.[target[1]];
  if (!op) {
    problem(`docs/api.md "${title}": no ${target[1].toUpperCase()} ${target[0]} in ${specPath}`);
    continue;
  }
  const statuses = new Set(everywhere);
  for (const s of body.matchAll(/`(\d{3}|5xx)\b[^`]*`/g)) statuses.add(s[1].replace("xx", "XX"));
  for (const s of statuses) {
    if (s === "204" && target[0] !== "/claim") continue;
    if (!op.responses[s]) problem(`docs/api.md gives ${title} the status ${s}; ${specPath} does not`);
  }
  checked++;
}
if (checked !== Object.keys(sections).length)
  problem(`docs/api.md: ${checked} endpoint sections found, ${Object.keys(sections).length} expected`);
console.log(`docs/api.md: ${checked} endpoints, their statuses all in the OpenAPI file`);

// ---- (3) recorded exchanges match the schemas ----------------------------------------------
const ajv = new Ajv04({ strict: false, allErrors: true });
addFormats(ajv);
for (const f of ["byte", "binary", "int64"]) ajv.addFormat(f, true);
const compiled = new Map();
const validate = (schema, value, what) => {
  if (!compiled.has(schema)) compiled.set(schema, ajv.compile(schema));
  const v = compiled.get(schema);
  if (!v(value)) problem(`${what}: ${ajv.errorsText(v.errors)}`);
};
const exchanges = JSON.parse(fs.readFileSync(exchangesPath, "utf8"));
const seen = new Set();
for (const x of exchanges) {
  const op = api.paths[x.path]?.[x.method.toLowerCase()];
  const what = `${x.what}: ${x.method} ${x.path} -> ${x.status}`;
  if (!op) {
    problem(`${what}: no such operation`);
    continue;
  }
  if (x.request !== undefined && x.request !== null) {
    const schema = op.requestBody?.content?.["application/json"]?.schema;
    if (!schema) problem(`${what}: the operation takes no JSON body`);
    else validate(schema, x.request, `${what} (request)`);
  }
  const s = String(x.status);
  const resp = op.responses[s] || op.responses[s[0] + "XX"] || op.responses.default;
  if (!resp) {
    problem(`${what}: status not in the OpenAPI file`);
    continue;
  }
  const schema = resp.content?.["application/json"]?.schema;
  if (schema && x.body !== undefined && x.body !== null) validate(schema, x.body, `${what} (reply)`);
  else if (schema && s !== "204") problem(`${what}: a JSON reply was expected`);
  seen.add(`${x.method} ${x.path} ${s}`);
}
console.log(`${exchanges.length} exchanges checked against the schemas (${seen.size} kinds), ${bad} problems`);
process.exit(bad ? 1 : 0);
