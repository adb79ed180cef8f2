/**
 * wrangler.toml's environments as wrangler itself resolves them (`unstable_readConfig`
 * applies the inheritance rules), and the checks that keep staging and production shaped
 * like the top-level (development) environment. Used by `npm run deploy:check`,
 * `npm run ops:guide` and scripts/deploy-config.test.ts. See docs/decisions/0040.
 */
import path from 'node:path';
import { unstable_readConfig } from 'wrangler';
import { BINDING_NAMES } from '../../worker/config';

/** The named environments; the top level is local development. */
export const DEPLOY_ENVIRONMENTS = ['staging', 'production'] as const;
export type DeployEnvironment = (typeof DEPLOY_ENVIRONMENTS)[number];

export interface QueueConsumer {
  queue: string;
  dead_letter_queue?: string;
  max_batch_size?: number;
  max_batch_timeout?: number;
  max_retries?: number;
}

/** The parts of one resolved environment that matter for deploying. */
export interface EnvSummary {
  /** undefined = top level. */
  env?: string;
  workerName: string;
  vars: Record<string, unknown>;
  durableObjects: { name: string; class_name: string }[];
  buckets: { binding: string; bucket_name?: string }[];
  producers: { binding: string; queue: string }[];
  consumers: QueueConsumer[];
  ratelimits: { name: string; namespace_id: string; simple?: { limit: number; period: number } }[];
  crons: string[];
  observabilityEnabled: boolean;
  migrationTags: string[];
}

/** The fields of wrangler's resolved config read here (its own type does not resolve under scripts/tsconfig.json). */
interface ResolvedConfig {
  name?: string;
  vars: Record<string, unknown>;
  durable_objects: { bindings: { name: string; class_name: string }[] };
  r2_buckets: { binding: string; bucket_name?: string }[];
  queues: { producers?: { binding: string; queue: string }[]; consumers?: QueueConsumer[] };
  ratelimits: { name: string; namespace_id: string | number; simple?: { limit: number; period: number } }[];
  triggers: { crons?: string[] };
  observability?: { enabled?: boolean };
  migrations: { tag: string }[];
}

export function readEnvSummary(root: string, env?: string): EnvSummary {
  const c = unstable_readConfig(
    { config: path.join(root, 'wrangler.toml'), env },
    { hideWarnings: true },
  ) as unknown as ResolvedConfig;
  return {
    env,
    workerName: c.name ?? '',
    vars: { ...c.vars },
    durableObjects: c.durable_objects.bindings.map((b) => ({ name: b.name, class_name: b.class_name })),
    buckets: c.r2_buckets.map((b) => ({ binding: b.binding, bucket_name: b.bucket_name })),
    producers: (c.queues.producers ?? []).map((p) => ({ binding: p.binding, queue: p.queue })),
    consumers: (c.queues.consumers ?? []).map((q) => ({
      queue: q.queue,
      dead_letter_queue: q.dead_letter_queue,
      max_batch_size: q.max_batch_size,
      max_batch_timeout: q.max_batch_timeout,
      max_retries: q.max_retries,
    })),
    ratelimits: c.ratelimits.map((r) => ({ name: r.name, namespace_id: String(r.namespace_id), simple: r.simple })),
    crons: c.triggers.crons ?? [],
    observabilityEnabled: c.observability?.enabled === true,
    migrationTags: c.migrations.map((m) => m.tag),
  };
}

/** Top level first, then each named environment. */
export function readAllEnvironments(root: string): { top: EnvSummary; named: EnvSummary[] } {
  return { top: readEnvSummary(root), named: DEPLOY_ENVIRONMENTS.map((e) => readEnvSummary(root, e)) };
}

/** Every queue an environment needs created: producers, consumers and dead-letter queues. */
export function queueNames(s: EnvSummary): string[] {
  const names = new Set<string>();
  for (const p of s.producers) names.add(p.queue);
  for (const q of s.consumers) {
    names.add(q.queue);
    if (q.dead_letter_queue) names.add(q.dead_letter_queue);
  }
  return [...names].sort();
}

export function bucketNames(s: EnvSummary): string[] {
  return s.buckets.map((b) => b.bucket_name ?? '').sort();
}

/** All binding names an environment gives the Worker (vars excluded). */
export function bindingNames(s: EnvSummary): string[] {
  return [
    ...s.durableObjects.map((d) => d.name),
    ...s.buckets.map((b) => b.binding),
    ...s.producers.map((p) => p.binding),
    ...s.ratelimits.map((r) => r.name),
  ].sort();
}

const sameList = (a: readonly string[], b: readonly string[]) =>
  JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());

/**
 * Problems with the environments (empty = fine): each named environment must bind the same
 * names as the top level, to its own resources (`<top-level name>-<env>`: the queue handler
 * routes on that), with the same consumer settings and limits, its own rate-limit
 * namespaces, APP_ENV = the environment, observability on, and the inherited crons and
 * Durable Object migrations.
 */
export function checkEnvironments(top: EnvSummary, named: EnvSummary[]): string[] {
  const problems: string[] = [];
  const topBindings = bindingNames(top);
  // ASSETS comes from the top-level [assets] table, which every environment inherits.
  for (const b of BINDING_NAMES.filter((n) => n !== 'ASSETS'))
    if (!topBindings.includes(b)) problems.push(`top level: binding ${b} (worker/config.ts) is not declared`);
  if (!top.observabilityEnabled) problems.push('top level: [observability] enabled must be true');
  if (top.migrationTags.length === 0) problems.push('top level: no Durable Object [[migrations]]');

  const namespaceOwners = new Map<string, string>();
  for (const r of top.ratelimits) namespaceOwners.set(r.namespace_id, 'top level');

  for (const s of named) {
    const env = s.env ?? '?';
    const where = `[env.${env}]`;
    const suffixed = (name: string) => `${name}-${env}`;
    if (s.workerName !== `${top.workerName}-${env}`)
      problems.push(`${where}: Worker name is "${s.workerName}", expected "${top.workerName}-${env}"`);
    if (s.vars.APP_ENV !== env)
      problems.push(`${where}: vars.APP_ENV is ${JSON.stringify(s.vars.APP_ENV)}, expected "${env}"`);
    if (!sameList(Object.keys(s.vars), Object.keys(top.vars)))
      problems.push(
        `${where}: vars ${JSON.stringify(Object.keys(s.vars).sort())} differ from the top level's ${JSON.stringify(Object.keys(top.vars).sort())}`,
      );
    if (!sameList(bindingNames(s), topBindings))
      problems.push(
        `${where}: bindings ${JSON.stringify(bindingNames(s))} differ from the top level's ${JSON.stringify(topBindings)}`,
      );
    for (const d of top.durableObjects) {
      const mine = s.durableObjects.find((x) => x.name === d.name);
      if (mine && mine.class_name !== d.class_name)
        problems.push(`${where}: Durable Object ${d.name} is class ${mine.class_name}, expected ${d.class_name}`);
    }
    for (const b of top.buckets) {
      const mine = s.buckets.find((x) => x.binding === b.binding);
      if (mine && mine.bucket_name !== suffixed(b.bucket_name ?? ''))
        problems.push(
          `${where}: R2 ${b.binding} is bucket "${mine.bucket_name}", expected "${suffixed(b.bucket_name ?? '')}"`,
        );
    }
    for (const p of top.producers) {
      const mine = s.producers.find((x) => x.binding === p.binding);
      if (mine && mine.queue !== suffixed(p.queue))
        problems.push(
          `${where}: queue producer ${p.binding} sends to "${mine.queue}", expected "${suffixed(p.queue)}"`,
        );
    }
    for (const q of top.consumers) {
      const mine = s.consumers.find((x) => x.queue === suffixed(q.queue));
      if (!mine) {
        problems.push(`${where}: no consumer for "${suffixed(q.queue)}"`);
        continue;
      }
      const expectedDlq = q.dead_letter_queue ? suffixed(q.dead_letter_queue) : undefined;
      if (mine.dead_letter_queue !== expectedDlq)
        problems.push(
          `${where}: consumer "${mine.queue}" dead-letters to ${JSON.stringify(mine.dead_letter_queue)}, expected ${JSON.stringify(expectedDlq)}`,
        );
      for (const k of ['max_batch_size', 'max_batch_timeout', 'max_retries'] as const) {
        if (mine[k] !== q[k])
          problems.push(`${where}: consumer "${mine.queue}" ${k} = ${mine[k]}, top level has ${q[k]}`);
      }
    }
    if (s.consumers.length !== top.consumers.length)
      problems.push(`${where}: ${s.consumers.length} queue consumers, top level has ${top.consumers.length}`);
    for (const r of top.ratelimits) {
      const mine = s.ratelimits.find((x) => x.name === r.name);
      if (mine && JSON.stringify(mine.simple) !== JSON.stringify(r.simple))
        problems.push(
          `${where}: rate limit ${r.name} is ${JSON.stringify(mine.simple)}, top level has ${JSON.stringify(r.simple)}`,
        );
    }
    for (const r of s.ratelimits) {
      const owner = namespaceOwners.get(r.namespace_id);
      if (owner)
        problems.push(
          `${where}: rate limit ${r.name} reuses namespace_id ${r.namespace_id} of ${owner} (ids are per account: the counters would be shared)`,
        );
      else namespaceOwners.set(r.namespace_id, where);
    }
    if (!sameList(s.crons, top.crons))
      problems.push(
        `${where}: crons ${JSON.stringify(s.crons)} differ from the top level's ${JSON.stringify(top.crons)}`,
      );
    if (!s.observabilityEnabled) problems.push(`${where}: observability is off`);
    if (JSON.stringify(s.migrationTags) !== JSON.stringify(top.migrationTags))
      problems.push(
        `${where}: Durable Object migrations ${JSON.stringify(s.migrationTags)} differ from the top level's`,
      );
  }
  return problems;
}
