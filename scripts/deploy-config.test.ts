import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkEnvironments, queueNames, readAllEnvironments, type EnvSummary } from './lib/deploy-config';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { top, named } = readAllEnvironments(root);
const staging = named.find((s) => s.env === 'staging')!;
const production = named.find((s) => s.env === 'production')!;

/** A deep copy to break on purpose. */
const copy = (s: EnvSummary): EnvSummary => structuredClone(s);

describe('wrangler.toml environments (as wrangler resolves them)', () => {
  it('has staging and production shaped like the top level, with their own resources', () => {
    expect(checkEnvironments(top, named)).toEqual([]);
    expect(staging.workerName).toBe('plowdispatch-staging');
    expect(production.workerName).toBe('plowdispatch-production');
    expect(production.vars.APP_ENV).toBe('production');
    expect(production.buckets).toEqual([{ binding: 'FILES', bucket_name: 'plowdispatch-files-production' }]);
    expect(queueNames(staging)).toEqual([
      'plowdispatch-dlq-staging',
      'plowdispatch-invoices-staging',
      'plowdispatch-location-log-staging',
      'plowdispatch-notifications-dlq-staging',
      'plowdispatch-notifications-staging',
    ]);
    // Inherited from the top level: crons, observability, Durable Object migrations.
    expect(production.crons).toEqual(top.crons);
    expect(production.observabilityEnabled).toBe(true);
    expect(production.migrationTags).toEqual(top.migrationTags);
  });

  it('flags an environment that lost a non-inherited binding or var', () => {
    const s = copy(staging);
    s.producers = s.producers.filter((p) => p.binding !== 'INVOICES');
    s.vars = { ...s.vars, APP_ENV: 'production' };
    const problems = checkEnvironments(top, [s, production]).join('\n');
    expect(problems).toMatch(/\[env\.staging\]: bindings .* differ/);
    expect(problems).toMatch(/vars\.APP_ENV is "production", expected "staging"/);
  });

  it('flags resources shared with another environment and a wrong dead-letter queue', () => {
    const p = copy(production);
    p.buckets = [{ binding: 'FILES', bucket_name: 'plowdispatch-files' }];
    p.consumers = p.consumers.map((c) =>
      c.queue === 'plowdispatch-notifications-production'
        ? { ...c, dead_letter_queue: 'plowdispatch-dlq-production' }
        : c,
    );
    p.ratelimits = p.ratelimits.map((r) =>
      r.name === 'RL_ANON' ? { ...r, namespace_id: staging.ratelimits[0]!.namespace_id } : r,
    );
    const problems = checkEnvironments(top, [staging, p]).join('\n');
    expect(problems).toMatch(/R2 FILES is bucket "plowdispatch-files", expected "plowdispatch-files-production"/);
    expect(problems).toMatch(
      /dead-letters to "plowdispatch-dlq-production", expected "plowdispatch-notifications-dlq-production"/,
    );
    expect(problems).toMatch(/reuses namespace_id 2001 of \[env\.staging\]/);
  });

  it('flags a consumer whose retry settings drifted from the top level, and observability off', () => {
    const p = copy(production);
    p.consumers = p.consumers.map((c) => ({ ...c, max_retries: 1 }));
    p.observabilityEnabled = false;
    const problems = checkEnvironments(top, [staging, p]).join('\n');
    expect(problems).toMatch(/max_retries = 1, top level has 10/);
    expect(problems).toMatch(/\[env\.production\]: observability is off/);
  });

  it('flags a binding worker/config.ts requires that the top level does not declare', () => {
    const t = copy(top);
    t.durableObjects = t.durableObjects.filter((d) => d.name !== 'AUTO_DISPATCH');
    expect(checkEnvironments(t, []).join('\n')).toMatch(/top level: binding AUTO_DISPATCH/);
  });
});
