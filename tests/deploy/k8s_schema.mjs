// SPDX-License-Identifier: MIT
// Validate every object of deploy/k8s (or of the given YAML files: a rendered Helm chart)
// against the Kubernetes OpenAPI schemas that the kubernetes-models packages carry (the core
// API, KEDA's and the Prometheus operator's CRDs; ajv, offline).
// usage: node k8s_schema.mjs NODE_MODULES K8S_DIR|FILE.yaml...
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [nodeModules, ...inputs] = process.argv.slice(2);
const load = (rel) => import(pathToFileURL(path.join(nodeModules, rel)).href);
const YAML = (await load("yaml/dist/index.js")).default;
const models = {
  "v1/Namespace": "kubernetes-models/v1/Namespace.js",
  "v1/ConfigMap": "kubernetes-models/v1/ConfigMap.js",
  "v1/Secret": "kubernetes-models/v1/Secret.js",
  "apps/v1/Deployment": "kubernetes-models/apps/v1/Deployment.js",
  "policy/v1/PodDisruptionBudget": "kubernetes-models/policy/v1/PodDisruptionBudget.js",
  "v1/Service": "kubernetes-models/v1/Service.js",
  "networking.k8s.io/v1/NetworkPolicy": "kubernetes-models/networking.k8s.io/v1/NetworkPolicy.js",
  "autoscaling/v2/HorizontalPodAutoscaler":
    "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler.js",
  "monitoring.coreos.com/v1/PodMonitor":
    "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor.js",
  "keda.sh/v1alpha1/ScaledObject": "@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject.js",
  "keda.sh/v1alpha1/TriggerAuthentication":
    "@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication.js",
};
const files = inputs.flatMap((p) =>
  fs.statSync(p).isDirectory()
    ? fs.readdirSync(p).filter((f) => f.endsWith(".yaml")).sort().map((f) => path.join(p, f))
    : [p],
);
let bad = 0;
let n = 0;
for (const file of files) {
  for (const doc of YAML.parseAllDocuments(fs.readFileSync(file, "utf8"))) {
    if (doc.errors.length) {
      console.log(`${file}: YAML: ${doc.errors[0].message}`);
      bad++;
      continue;
    }
    const obj = doc.toJSON();
    if (!obj || obj.kind === "Kustomization") continue;
    const id = `${obj.apiVersion}/${obj.kind}`;
    if (!models[id]) {
      console.log(`${file}: no schema for ${id}`);
      bad++;
      continue;
    }
    const Model = (await load(models[id]))[obj.kind];
    try {
      new Model(obj).validate();
      n++;
    } catch (e) {
      console.log(`${file}: ${id} ${obj.metadata?.name}: ${e.message}`);
      bad++;
    }
  }
}
console.log(`kubernetes-models: ${n} objects valid against the Kubernetes schemas, ${bad} invalid`);
process.exit(bad ? 1 : 0);
