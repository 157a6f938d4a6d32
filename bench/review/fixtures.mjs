// bench/review/fixtures.mjs: writes the AdmissionReviews bench/review times,
// shaped as the API server sends them (managedFields, last-applied
// annotation, userInfo, options):
//   servicecidr-review.json  a ServiceCIDR CREATE of about 2 KB
//   pod-review.json          a Pod CREATE of about 20 KB (6 containers)
//   node bench/review/fixtures.mjs OUT_DIR
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

const out = process.argv[2] ?? '.'
const time = '2026-03-01T10:00:00Z'
const user = {
  username: 'kubernetes-admin',
  uid: 'aws-iam-authenticator:123456789012:AROAEXAMPLE',
  groups: ['kubeadm:cluster-admins', 'system:authenticated'],
  extra: { 'authentication.kubernetes.io/credential-id': ['X509SHA256=4f1c0c5d2e6a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e'] }
}

function review (uid, gvk, resource, namespace, name, object) {
  const [group, version, kind] = gvk
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: { group, version, kind },
      resource: { group, version, resource },
      requestKind: { group, version, kind },
      requestResource: { group, version, resource },
      name,
      ...(namespace ? { namespace } : {}),
      operation: 'CREATE',
      userInfo: user,
      object,
      oldObject: null,
      dryRun: false,
      options: { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1', fieldManager: 'kubectl-client-side-apply', fieldValidation: 'Strict' }
    }
  }
}

// ---------------------------------------------------------------- ServiceCIDR
const scSpec = { cidrs: ['10.96.100.0/24', '2001:db8::100:0/112'] }
const sc = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'ServiceCIDR',
  metadata: {
    name: 'newcidr1',
    uid: '0b9e6f0e-7f4c-4d1e-9a55-2d8c1c3f7a10',
    creationTimestamp: time,
    labels: { 'app.kubernetes.io/managed-by': 'platform', team: 'network' },
    annotations: {
      'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({
        apiVersion: 'networking.k8s.io/v1', kind: 'ServiceCIDR',
        metadata: { annotations: {}, labels: { 'app.kubernetes.io/managed-by': 'platform', team: 'network' }, name: 'newcidr1' },
        spec: scSpec
      }) + '\n'
    },
    managedFields: [{
      manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: 'networking.k8s.io/v1', time, fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': { 'f:annotations': { '.': {}, 'f:kubectl.kubernetes.io/last-applied-configuration': {} }, 'f:labels': { '.': {}, 'f:app.kubernetes.io/managed-by': {}, 'f:team': {} } },
        'f:spec': { 'f:cidrs': {} }
      }
    }]
  },
  spec: scSpec,
  status: {}
}
const scReview = review('7c2b4f3e-1d8a-4a56-9e0b-3f6c2d1a9b01', ['networking.k8s.io', 'v1', 'ServiceCIDR'], 'servicecidrs', null, 'newcidr1', sc)

// ---------------------------------------------------------------- Pod
function container (i) {
  return {
    name: `app-${i}`,
    image: `registry.example/shop/service-${i}:2.14.${i}`,
    imagePullPolicy: 'IfNotPresent',
    command: ['/app/bin/service', '--config=/etc/app/config.yaml', `--listen=:${8080 + i}`],
    args: ['--log-format=json', '--log-level=info', '--metrics-addr=:9090', '--shutdown-grace=20s'],
    ports: [{ name: 'http', containerPort: 8080 + i, protocol: 'TCP' }, { name: 'metrics', containerPort: 9090 + i, protocol: 'TCP' }],
    env: [
      { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
      { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } } },
      { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'shop-db', key: 'password' } } },
      { name: 'FEATURE_FLAGS', value: 'checkout-v2,fast-search,recommendations' }
    ],
    resources: { limits: { cpu: '1', memory: '512Mi' }, requests: { cpu: '250m', memory: '256Mi' } },
    volumeMounts: [
      { name: 'config', mountPath: '/etc/app', readOnly: true },
      { name: 'kube-api-access-x7k2p', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }
    ],
    livenessProbe: { httpGet: { path: '/healthz', port: 8080 + i, scheme: 'HTTP' }, initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
    readinessProbe: { httpGet: { path: '/readyz', port: 8080 + i, scheme: 'HTTP' }, periodSeconds: 5, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File'
  }
}
const ncont = 6
const containers = Array.from({ length: ncont }, (_, i) => container(i))
const podSpec = {
  containers,
  volumes: [
    { name: 'config', configMap: { name: 'shop-config', defaultMode: 420 } },
    { name: 'kube-api-access-x7k2p', projected: { defaultMode: 420, sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } }, { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } }, { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } }] } }
  ],
  restartPolicy: 'Always',
  terminationGracePeriodSeconds: 30,
  dnsPolicy: 'ClusterFirst',
  serviceAccountName: 'shop',
  serviceAccount: 'shop',
  securityContext: { runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } },
  schedulerName: 'default-scheduler',
  tolerations: [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }
  ],
  priority: 0,
  enableServiceLinks: true,
  preemptionPolicy: 'PreemptLowerPriority'
}
const labels = { app: 'shop', 'app.kubernetes.io/name': 'shop', 'app.kubernetes.io/version': '2.14', tier: 'backend', 'pod-template-hash': '7d9f8c6b5d' }
function fieldsContainer (c) {
  const f = { '.': {}, 'f:args': {}, 'f:command': {}, 'f:env': {}, 'f:image': {}, 'f:imagePullPolicy': {}, 'f:livenessProbe': { '.': {}, 'f:httpGet': { '.': {}, 'f:path': {}, 'f:port': {}, 'f:scheme': {} } }, 'f:name': {}, 'f:ports': {}, 'f:readinessProbe': { '.': {}, 'f:httpGet': { '.': {}, 'f:path': {}, 'f:port': {}, 'f:scheme': {} } }, 'f:resources': { '.': {}, 'f:limits': { '.': {}, 'f:cpu': {}, 'f:memory': {} }, 'f:requests': { '.': {}, 'f:cpu': {}, 'f:memory': {} } }, 'f:securityContext': { '.': {}, 'f:allowPrivilegeEscalation': {}, 'f:capabilities': { '.': {}, 'f:drop': {} }, 'f:readOnlyRootFilesystem': {}, 'f:runAsNonRoot': {} }, 'f:volumeMounts': {} }
  for (const e of c.env) f['f:env'][`k:{"name":"${e.name}"}`] = { '.': {}, 'f:name': {}, [e.value ? 'f:value' : 'f:valueFrom']: {} }
  for (const p of c.ports) f['f:ports'][`k:{"containerPort":${p.containerPort},"protocol":"TCP"}`] = { '.': {}, 'f:containerPort': {}, 'f:name': {}, 'f:protocol': {} }
  for (const m of c.volumeMounts) f['f:volumeMounts'][`k:{"mountPath":"${m.mountPath}"}`] = { '.': {}, 'f:mountPath': {}, 'f:name': {}, 'f:readOnly': {} }
  return f
}
const fieldsSpec = { 'f:containers': {}, 'f:restartPolicy': {}, 'f:securityContext': { '.': {}, 'f:fsGroup': {}, 'f:runAsGroup': {}, 'f:runAsUser': {}, 'f:seccompProfile': { '.': {}, 'f:type': {} } }, 'f:serviceAccountName': {}, 'f:volumes': {} }
for (const c of containers) fieldsSpec['f:containers'][`k:{"name":"${c.name}"}`] = fieldsContainer(c)
const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'shop-7d9f8c6b5d-x2v4q',
    generateName: 'shop-7d9f8c6b5d-',
    namespace: 'shop',
    uid: '5c3b1e2a-8f9d-4c7b-a6e5-1d2c3b4a5f60',
    creationTimestamp: time,
    labels,
    annotations: { 'kubectl.kubernetes.io/restartedAt': time, 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9090' },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'shop-7d9f8c6b5d', uid: '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d', controller: true, blockOwnerDeletion: true }],
    managedFields: [{
      manager: 'kube-controller-manager', operation: 'Update', apiVersion: 'v1', time, fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': { 'f:annotations': { '.': {}, 'f:kubectl.kubernetes.io/restartedAt': {}, 'f:prometheus.io/port': {}, 'f:prometheus.io/scrape': {} }, 'f:generateName': {}, 'f:labels': Object.fromEntries([['.', {}], ...Object.keys(labels).map(k => [`f:${k}`, {}])]), 'f:ownerReferences': { '.': {}, 'k:{"uid":"9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"}': {} } },
        'f:spec': fieldsSpec
      }
    }]
  },
  spec: podSpec,
  status: { phase: 'Pending', qosClass: 'Burstable' }
}
const podReview = review('d1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f6', ['', 'v1', 'Pod'], 'pods', 'shop', pod.metadata.name, pod)

for (const [file, doc] of [['servicecidr-review.json', scReview], ['pod-review.json', podReview]]) {
  const text = JSON.stringify(doc) // compact, as the API server sends it
  writeFileSync(join(out, file), text + '\n')
  console.error(`${file}: ${text.length} bytes`)
}
