// SPDX-License-Identifier: MIT
// Render deploy/helm/grader and check it renders the objects of deploy/k8s.
//
// Helm is not packaged by Debian, so this renders the chart itself: a small interpreter of the
// part of Go's text/template and Helm's functions the chart uses (actions with {{- -}} trimming,
// comments, if/else/end, define/include, pipelines, and the functions quote, toYaml, nindent,
// indent, default, not, and, or, eq). A construct outside that part is an error, not a guess.
// When `helm` is on the PATH, `helm template` renders the same values too, and both renderings
// must give the same objects.
//
// Three renderings: the defaults; KEDA and the PodMonitor on; the HPA on. Each object is
// written to OUT_DIR/<rendering>.yaml (for k8s_schema.mjs), and compared with deploy/k8s:
// every object there (but the Namespace, the example Secret and the kustomization) must come
// out of some rendering with the same spec (ConfigMap: data), labels aside.
// usage: node helm_check.mjs NODE_MODULES CHART_DIR K8S_DIR OUT_DIR
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { pathToFileURL } from "node:url";

const [nodeModules, chartDir, k8sDir, outDir] = process.argv.slice(2);
const YAML = (await import(pathToFileURL(path.join(nodeModules, "yaml/dist/index.js")).href))
  .default;

// ---- parsing templates ---------------------------------------------------------------------

function tokenize(src, file) {
  const out = [];
  const re = /\{\{(-\s)?([\s\S]*?)(\s-)?\}\}/g;
  let last = 0;
  for (let m; (m = re.exec(src)); ) {
    out.push({ text: src.slice(last, m.index) });
    out.push({ action: m[2].trim(), trimLeft: !!m[1], trimRight: !!m[3], file });
    last = re.lastIndex;
  }
  out.push({ text: src.slice(last) });
  // apply the trim markers to the neighbouring text
  for (let i = 0; i < out.length; i++) {
    if (out[i].trimLeft) out[i - 1].text = out[i - 1].text.replace(/\s+$/, "");
    if (out[i].trimRight) out[i + 1].text = out[i + 1].text.replace(/^\s+/, "");
  }
  return out;
}

// Turn tokens into a tree; defines go into the shared table.
function parse(tokens, defines) {
  const root = [];
  const stack = [{ body: root }];
  const top = () => stack[stack.length - 1];
  for (const t of tokens) {
    if (t.text !== undefined) {
      if (t.text) top().body.push({ text: t.text });
      continue;
    }
    const a = t.action;
    if (a.startsWith("/*")) continue;
    const [word, ...rest] = a.split(/\s+/);
    const arg = rest.join(" ");
    if (word === "if") {
      const node = { if: arg, then: [], else: [] };
      top().body.push(node);
      stack.push({ node, body: node.then });
    } else if (word === "else") {
      const f = top();
      if (!f.node?.if) throw new Error(`${t.file}: else outside if`);
      f.body = f.node.else;
    } else if (word === "define") {
      const node = { body: [] };
      defines[JSON.parse(arg)] = node.body;
      stack.push({ node, body: node.body });
    } else if (word === "end") {
      if (stack.length < 2) throw new Error(`${t.file}: end without a block`);
      stack.pop();
    } else if (["range", "with", "template", "block"].includes(word)) {
      throw new Error(`${t.file}: '${word}' is not supported by this renderer`);
    } else {
      top().body.push({ pipe: a, file: t.file });
    }
  }
  if (stack.length !== 1) throw new Error("a block is not closed");
  return root;
}

// ---- evaluating ----------------------------------------------------------------------------

function lex(s) {
  const out = [];
  const re = /\s*("(?:[^"\\]|\\.)*"|\(|\)|\||[^\s()|]+)/g;
  for (let m; (m = re.exec(s)); ) out.push(m[1]);
  return out;
}

const truthy = (v) =>
  !(v === undefined || v === null || v === false || v === 0 || v === "" ||
    (Array.isArray(v) && !v.length) ||
    (typeof v === "object" && !Array.isArray(v) && !Object.keys(v).length));

function indent(n, s) {
  return String(s).split("\n").map((l) => " ".repeat(n) + l).join("\n");
}

function evalPipe(tokens, ctx, defines) {
  // split at top-level '|'
  const cmds = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (t === "(") depth++;
    if (t === ")") depth--;
    if (t === "|" && depth === 0) cmds.push([]);
    else cmds[cmds.length - 1].push(t);
  }
  let value;
  cmds.forEach((cmd, i) => {
    value = evalCmd(cmd, ctx, defines, i === 0 ? [] : [value]);
  });
  return value;
}

function operand(tokens, ctx, defines) {
  const t = tokens.shift();
  if (t === "(") {
    const inner = [];
    for (let depth = 1; ; ) {
      const u = tokens.shift();
      if (u === undefined) throw new Error("unbalanced parentheses");
      if (u === "(") depth++;
      if (u === ")" && --depth === 0) break;
      inner.push(u);
    }
    return evalPipe(inner, ctx, defines);
  }
  if (t.startsWith('"')) return JSON.parse(t);
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  if (t === "true" || t === "false") return t === "true";
  if (t === ".") return ctx;
  if (t.startsWith(".")) return t.slice(1).split(".").reduce((o, k) => (o == null ? o : o[k]), ctx);
  throw new Error(`cannot evaluate '${t}'`);
}

const functions = {
  quote: (v) => JSON.stringify(v === undefined || v === null ? "" : String(v)),
  toYaml: (v) => YAML.stringify(v, { sortMapEntries: true, lineWidth: 0 }).replace(/\n$/, ""),
  nindent: (n, s) => "\n" + indent(n, s),
  indent: (n, s) => indent(n, s),
  default: (d, v) => (truthy(v) ? v : d),
  not: (v) => !truthy(v),
  and: (...xs) => xs.reduce((a, b) => (truthy(a) ? b : a)),
  or: (...xs) => xs.reduce((a, b) => (truthy(a) ? a : b)),
  eq: (a, b) => a === b,
};

function evalCmd(cmd, ctx, defines, piped) {
  const tokens = [...cmd];
  const head = tokens[0];
  if (head === "include") {
    tokens.shift();
    const name = operand(tokens, ctx, defines);
    const arg = operand(tokens, ctx, defines);
    if (!defines[name]) throw new Error(`include of an unknown template '${name}'`);
    return render(defines[name], arg, defines);
  }
  if (functions[head]) {
    tokens.shift();
    const args = [];
    while (tokens.length) args.push(operand(tokens, ctx, defines));
    return functions[head](...args, ...piped);
  }
  if (/^[a-zA-Z]/.test(head)) throw new Error(`unknown function '${head}'`);
  const v = operand(tokens, ctx, defines);
  if (tokens.length || piped.length) throw new Error(`cannot apply '${cmd.join(" ")}'`);
  return v;
}

function render(nodes, ctx, defines) {
  let out = "";
  for (const n of nodes) {
    if (n.text !== undefined) out += n.text;
    else if (n.if !== undefined)
      out += render(truthy(evalPipe(lex(n.if), ctx, defines)) ? n.then : n.else, ctx, defines);
    else {
      const v = evalPipe(lex(n.pipe), ctx, defines);
      out += v === undefined || v === null ? "" : String(v);
    }
  }
  return out;
}

function renderChart(values) {
  const chart = YAML.parse(fs.readFileSync(path.join(chartDir, "Chart.yaml"), "utf8"));
  const defines = {};
  const tdir = path.join(chartDir, "templates");
  const files = fs.readdirSync(tdir).sort();
  const trees = files.map((f) => [f, parse(tokenize(fs.readFileSync(path.join(tdir, f), "utf8"), f), defines)]);
  const ctx = {
    Values: values,
    Release: { Name: "grader", Namespace: "grader", Service: "Helm" },
    Chart: { Name: chart.name, Version: chart.version, AppVersion: chart.appVersion },
  };
  const objects = [];
  for (const [f, tree] of trees) {
    if (f.startsWith("_")) continue;
    const text = render(tree, ctx, defines);
    for (const doc of YAML.parseAllDocuments(text)) {
      if (doc.errors.length) throw new Error(`${f}: rendered YAML: ${doc.errors[0].message}`);
      const o = doc.toJSON();
      if (o) objects.push(o);
    }
  }
  return objects;
}

function helmTemplate(sets) {
  const args = ["template", "grader", chartDir, "--namespace", "grader"];
  for (const s of sets) args.push("--set", s);
  const text = execFileSync("helm", args, { encoding: "utf8" });
  return YAML.parseAllDocuments(text).map((d) => d.toJSON()).filter(Boolean);
}

// ---- the renderings, and deploy/k8s ----------------------------------------------------------

const defaults = YAML.parse(fs.readFileSync(path.join(chartDir, "values.yaml"), "utf8"));
const merge = (a, b) => {
  const o = structuredClone(a);
  for (const [k, v] of Object.entries(b))
    o[k] = v && typeof v === "object" && !Array.isArray(v) ? merge(o[k] || {}, v) : v;
  return o;
};
const renderings = {
  defaults: [{}, []],
  "keda-podmonitor": [
    { keda: { enabled: true }, podMonitor: { enabled: true } },
    ["keda.enabled=true", "podMonitor.enabled=true"],
  ],
  hpa: [{ hpa: { enabled: true } }, ["hpa.enabled=true"]],
};
let bad = 0;
const problem = (m) => {
  console.log("problem: " + m);
  bad++;
};
let haveHelm = true;
try {
  execFileSync("helm", ["version"], { stdio: "ignore" });
} catch {
  haveHelm = false;
}
const rendered = {};
fs.mkdirSync(outDir, { recursive: true });
for (const [name, [over, sets]] of Object.entries(renderings)) {
  let objs;
  try {
    objs = renderChart(merge(defaults, over));
  } catch (e) {
    problem(`rendering '${name}': ${e.message}`);
    continue;
  }
  rendered[name] = objs;
  fs.writeFileSync(path.join(outDir, name + ".yaml"), objs.map((o) => YAML.stringify(o)).join("---\n"));
  const kinds = objs.map((o) => o.kind).join(", ");
  console.log(`helm chart, ${name}: ${objs.length} objects (${kinds})`);
  if (haveHelm) {
    const theirs = helmTemplate(sets);
    if (!isDeepStrictEqual(theirs, objs)) problem(`'${name}': helm template renders other objects`);
    else console.log(`helm template, ${name}: the same objects`);
  }
}
if (!haveHelm) console.log("helm is not installed: the chart was rendered by helm_check.mjs alone");

// every object of deploy/k8s comes out of a rendering, the same
const key = (o) => `${o.kind}/${o.metadata?.name}`;
const essence = (o) => {
  const e = structuredClone(o.kind === "ConfigMap" ? { data: o.data } : { spec: o.spec });
  if (o.kind === "Deployment") {
    delete e.spec.replicas; // the chart leaves replicas to an autoscaler when one is on
    e.spec.template.spec.containers.forEach((c) => delete c.image);
    delete e.spec.template.metadata.labels;
  }
  return e;
};
let compared = 0;
for (const file of fs.readdirSync(k8sDir).filter((f) => f.endsWith(".yaml")).sort()) {
  for (const doc of YAML.parseAllDocuments(fs.readFileSync(path.join(k8sDir, file), "utf8"))) {
    const o = doc.toJSON();
    if (!o || ["Kustomization", "Namespace", "Secret"].includes(o.kind)) continue;
    const found = Object.values(rendered).flat().filter((r) => key(r) === key(o));
    if (!found.length) {
      problem(`${file}: ${key(o)} is not rendered by the chart`);
      continue;
    }
    if (!found.some((r) => isDeepStrictEqual(essence(r), essence(o))))
      problem(`${file}: ${key(o)} differs from the chart's: ${JSON.stringify(essence(found[0])).slice(0, 400)}`);
    compared++;
  }
}
console.log(`deploy/k8s: ${compared} objects, each rendered the same by the chart; ${bad} problems`);
process.exit(bad ? 1 : 0);
