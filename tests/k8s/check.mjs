// Checks the Kubernetes manifests in a folder (deploy/k8s):
//   1. every document against the Kubernetes API's JSON schema for its apiVersion and kind (kubernetes-models:
//      the API's OpenAPI schemas, Kubernetes 1.27: types, required fields, enums, formats; unknown fields are
//      not flagged by these schemas);
//   2. the manifests against each other and against the service: selectors match pod labels, ports and
//      ConfigMaps named exist, probes hit /healthz (liveness) and /healthz/ready (readiness), every container
//      has a memory limit, the Redis address in the ConfigMap is the Redis Service.
//
//   cd tests/k8s && npm ci && node check.mjs ../../deploy/k8s
//
// Prints PASS/FAIL lines and ends with 'k8s: N passed, N failed'; exits 1 on any failure.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import * as core from "kubernetes-models/v1";
import * as apps from "kubernetes-models/apps/v1";
import * as policy from "kubernetes-models/policy/v1";

const models = { v1: core, "apps/v1": apps, "policy/v1": policy };
const folder = process.argv[2] ?? "../../deploy/k8s";
let passed = 0;
let failed = 0;

function check(name, ok, why = "") {
  if (ok) {
    passed++;
    console.log(`  PASS  ${name}`);
  } else {
    failed++;
    console.log(`  FAIL  ${name}${why ? `: ${why}` : ""}`);
  }
}

// Every document of every .yaml file, parsed.
const objects = [];
for (const file of readdirSync(folder).filter((f) => f.endsWith(".yaml") || f.endsWith(".yml")).sort()) {
  for (const doc of parseAllDocuments(readFileSync(join(folder, file), "utf8"))) {
    if (doc.errors.length) {
      check(`${file}: YAML parses`, false, doc.errors.map((e) => e.message).join("; "));
      continue;
    }
    const object = doc.toJS();
    if (object) objects.push({ file, object });
  }
}
check(`${folder} has manifests`, objects.length > 0);

// 1. Schemas.
for (const { file, object } of objects) {
  const name = `${file}: ${object.kind} ${object.metadata?.name} is valid ${object.apiVersion} ${object.kind}`;
  const Model = models[object.apiVersion]?.[object.kind];
  if (!Model) {
    check(name, false, "no schema known for it here");
    continue;
  }
  try {
    new Model(object).validate();
    check(name, true);
  } catch (e) {
    check(name, false, e.message);
  }
}

// 2. Against each other.
const of = (kind) => objects.filter((o) => o.object.kind === kind).map((o) => o.object);
const deployments = of("Deployment");
const services = of("Service");
const configMaps = of("ConfigMap");
const matches = (selector, labels) => Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);

for (const d of deployments) {
  const labels = d.spec.template.metadata?.labels;
  check(`Deployment ${d.metadata.name}: its selector matches its pods' labels`, matches(d.spec.selector.matchLabels, labels));
  for (const c of d.spec.template.spec.containers) {
    const ports = new Set((c.ports ?? []).flatMap((p) => [p.name, p.containerPort]));
    check(`Deployment ${d.metadata.name}/${c.name}: a memory limit`, !!c.resources?.limits?.memory);
    check(`Deployment ${d.metadata.name}/${c.name}: read-only root, no privilege escalation`,
      c.securityContext?.readOnlyRootFilesystem === true && c.securityContext?.allowPrivilegeEscalation === false);
    for (const probe of ["startupProbe", "livenessProbe", "readinessProbe"]) {
      const port = c[probe]?.httpGet?.port ?? c[probe]?.tcpSocket?.port;
      if (port !== undefined) check(`Deployment ${d.metadata.name}/${c.name}: ${probe} port ${port} is a container port`, ports.has(port));
    }
    for (const ref of c.envFrom ?? []) {
      if (ref.configMapRef) {
        check(`Deployment ${d.metadata.name}/${c.name}: ConfigMap ${ref.configMapRef.name} exists`,
          configMaps.some((m) => m.metadata.name === ref.configMapRef.name));
      }
    }
  }
}

const api = deployments.find((d) => d.metadata.name === "gradapi");
check("Deployment gradapi exists", !!api);
if (api) {
  const c = api.spec.template.spec.containers[0];
  check("gradapi: liveness probe is GET /healthz", c.livenessProbe?.httpGet?.path === "/healthz");
  check("gradapi: readiness probe is GET /healthz/ready", c.readinessProbe?.httpGet?.path === "/healthz/ready");
  check("gradapi: runs as the image's non-root user 1654", api.spec.template.spec.securityContext?.runAsUser === 1654);
  check("gradapi: a writable /tmp", (c.volumeMounts ?? []).some((m) => m.mountPath === "/tmp"));
  check("gradapi: more than one replica", api.spec.replicas > 1);
  const budget = Number(configMaps.find((m) => m.metadata.name === "gradapi")?.data?.GradApi__EvaluateTimeoutSeconds ?? 30);
  check(`gradapi: terminationGracePeriodSeconds covers the time budget (${budget} s) and the preStop pause`,
    api.spec.template.spec.terminationGracePeriodSeconds >= budget + 5);
}

for (const s of services) {
  const pods = deployments.filter((d) => matches(s.spec.selector, d.spec.template.metadata?.labels));
  check(`Service ${s.metadata.name}: selects the pods of exactly one Deployment`, pods.length === 1,
    pods.map((d) => d.metadata.name).join(", "));
  for (const p of s.spec.ports) {
    const named = pods.some((d) => d.spec.template.spec.containers.some((c) =>
      (c.ports ?? []).some((cp) => cp.name === p.targetPort || cp.containerPort === p.targetPort)));
    check(`Service ${s.metadata.name}: targetPort ${p.targetPort} is a port of its pods`, named);
  }
}

const settings = configMaps.find((m) => m.metadata.name === "gradapi")?.data ?? {};
const redis = settings.GradApi__GraphStore__Redis;
if (redis) {
  const [host, port] = redis.split(",")[0].split(":");
  const service = services.find((s) => s.metadata.name === host);
  check(`ConfigMap gradapi: Redis ${redis} is a Service of these manifests`,
    !!service && service.spec.ports.some((p) => p.port === Number(port)));
}

console.log(`k8s: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
