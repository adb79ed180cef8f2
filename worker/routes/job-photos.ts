import { Hono } from 'hono';
import { JobPhotoBody } from '../../contract/api-domain';
import { actorOf } from '../lib/actor';
import { readJson, uuidParam } from '../lib/validate';
import { visibleJob } from '../services/jobs';
import { addJobPhoto, afterPhotoRule, jobPhotos, toJobPhoto } from '../services/job-photos';
import type { AppEnv } from '../types';

/** Before/after photos of a job: proof of service (docs/decisions/0081-before-after-photos.md). */
export const jobPhotoRoutes = new Hono<AppEnv>();

/**
 * Records a photo the job's driver (or an admin) has uploaded (`POST /uploads/presign` with
 * purpose `job_photo`, then PUT), with the phone's capture time and GPS fix. 201 for a new
 * photo, 200 when the same photo is sent again. Another driver's job: 404.
 */
jobPhotoRoutes.post('/:id/photos', async (c) => {
  const id = uuidParam(c);
  const body = await readJson(c, JobPhotoBody);
  const actor = actorOf(c);
  const job = await visibleJob(c.var.db, actor, id);
  const { photo, created } = await addJobPhoto(c.var.db, c.env.FILES, actor, job, body);
  return c.json({ photo: toJobPhoto(photo) }, created ? 201 : 200);
});

/** The job's photos with their stamps, and whether an "after" photo is needed to finish. */
jobPhotoRoutes.get('/:id/photos', async (c) => {
  const job = await visibleJob(c.var.db, actorOf(c), uuidParam(c));
  const [photos, rule] = await Promise.all([jobPhotos(c.var.db, job.id), afterPhotoRule(c.var.db, job)]);
  return c.json({ photos: photos.map(toJobPhoto), after_photo: rule });
});
