import { bytesToHex } from '@noble/hashes/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPdf } from '../../scripts/lib/pdf-text';
import { canonicalJson } from '../../worker/services/evidence';
import { admin, newContract, newCustomer, newDriver, uniq, walkJob } from './fixtures';
import { api, call } from './helpers';

/**
 * A storm's evidence pack. One storm may be open at a time, so this suite runs inside
 * storms.test.ts, after the route suite, and closes its storm when done.
 */
export function stormEvidenceSuite(): void {
  describe('GET /api/v1/admin/storms/:id/evidence', () => {
    /** A winter of this suite's own (2022–23), so the storm reaches only the contracts made here. */
    const SEASON = { season_start: '2022-11-01', season_end: '2023-04-30' };
    let stormId: string;
    let jobIds: string[];

    beforeAll(async () => {
      const people = await Promise.all([newCustomer(), newCustomer()]);
      await Promise.all(people.map((p) => newContract(p, { ...SEASON, trigger_depth_in: 1 })));
      const declared = await call('POST', '/api/v1/admin/storms', await admin(), {
        name: `Evidence storm ${uniq()}`,
        started_at: '2023-01-15T05:00:00.000Z',
        depth_in: 4,
        snowfall_end_at: '2023-01-15T11:00:00.000Z',
      });
      expect(declared.status, JSON.stringify(declared.body)).toBe(201);
      stormId = declared.body.storm.id;
      jobIds = declared.body.created_jobs.map((j: { id: string }) => j.id);
      expect(jobIds).toHaveLength(2);
      await walkJob(jobIds[0]!, await newDriver({ status: 'available' }), 'completed');
    });

    afterAll(async () => {
      if (stormId) await call('POST', `/api/v1/admin/storms/${stormId}/close`, await admin());
    });

    it('lists each job’s pack hash and summary under one SHA-256 of the whole, the same on every download', async () => {
      const first = await call('GET', `/api/v1/admin/storms/${stormId}/evidence`, await admin());
      expect(first.status).toBe(200);
      const { pack } = first.body;
      expect(pack.storm).toMatchObject({ id: stormId, depth_in: 4 });
      expect(pack.jobs.map((j: { job_id: string }) => j.job_id).sort()).toEqual([...jobIds].sort());
      for (const job of pack.jobs) {
        const own = await call('GET', `/api/v1/jobs/${job.job_id}/evidence`, await admin());
        expect(job.sha256).toBe(own.body.sha256);
        expect(job.address).toBe(own.body.pack.job.address);
      }
      const done = pack.jobs.find((j: { job_id: string }) => j.job_id === jobIds[0]);
      expect(done).toMatchObject({ status: 'completed', before_photos: 0, after_photos: 0 });
      expect(bytesToHex(sha256(new TextEncoder().encode(canonicalJson(pack))))).toBe(first.body.sha256);
      const second = await call('GET', `/api/v1/admin/storms/${stormId}/evidence`, await admin());
      expect(second.body.sha256).toBe(first.body.sha256);

      const pdf = await api(`/api/v1/admin/storms/${stormId}/evidence.pdf`, { token: await admin() });
      expect(pdf.status).toBe(200);
      const text = (await readPdf(new Uint8Array(await pdf.arrayBuffer()))).pages.map((p) => p.text).join('\n');
      expect(text).toContain(`SHA-256 of the storm pack: ${first.body.sha256}`);
      for (const job of pack.jobs) {
        expect(text).toContain(job.address);
        expect(text).toContain(job.sha256);
      }
    });

    it('is for admins only, and 404 for a storm that does not exist', async () => {
      const customer = await newCustomer();
      expect((await call('GET', `/api/v1/admin/storms/${stormId}/evidence`, customer.token)).status).toBe(403);
      const none = await call('GET', `/api/v1/admin/storms/${crypto.randomUUID()}/evidence`, await admin());
      expect(none.status).toBe(404);
    });
  });
}
