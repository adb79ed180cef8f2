import { Hono } from 'hono';
import { configStatus } from './config';
import { DB_RETRY_AFTER_SECONDS, isDbUnavailable } from './lib/db-errors';
import { ApiError } from './lib/errors';
import { adminIpAllowList } from './middleware/admin-ip';
import { auditTrail } from './middleware/audit-trail';
import { authorize } from './middleware/auth';
import { database } from './middleware/db';
import { rateLimit } from './middleware/rate-limit';
import { requestContext } from './middleware/request';
import { corsAllowList, securityHeaders } from './middleware/security';
import { dispatchQueue } from './queues';
import { adminAccounts } from './routes/admin-accounts';
import { adminContracts } from './routes/admin-contracts';
import { adminStorms } from './routes/admin-storms';
import { adminJobs } from './routes/admin-jobs';
import { adminRoutes } from './routes/admin-routes';
import { customerContractRoutes } from './routes/customer-contracts';
import { adminAudit } from './routes/admin-audit';
import { adminHealth } from './routes/admin-health';
import { adminReports } from './routes/admin-reports';
import { adminSetup } from './routes/admin-setup';
import { auth } from './routes/auth';
import { customerHistory } from './routes/customer-history';
import { customers } from './routes/customers';
import { drivers } from './routes/drivers';
import { health } from './routes/health';
import { invoices } from './routes/invoices';
import { jobPrices } from './routes/job-prices';
import { jobs } from './routes/jobs';
import { jobPhotoRoutes } from './routes/job-photos';
import { stormEvidenceRoutes } from './routes/storm-evidence';
import { tiles } from './routes/tiles';
import { openapi } from './routes/openapi';
import { addresses } from './routes/addresses';
import { pricing } from './routes/pricing';
import { waitlist } from './routes/waitlist';
import { ws } from './routes/ws';
import { adminNotifications } from './routes/admin-notifications';
import { fileLinks, files } from './routes/files';
import { invoicePdf } from './routes/invoice-pdf';
import { push } from './routes/push';
import { uploads } from './routes/uploads';
import { webhooks } from './routes/webhooks';
import { runScheduled } from './cron';
import type { AppEnv } from './types';
import { log } from './lib/log';

export { JobRoom } from '../durable-objects/job-room';
export { Dispatch } from '../durable-objects/dispatch';
export { SessionGuard } from '../durable-objects/session-guard';
export { RateCounter } from '../durable-objects/rate-counter';
export { AutoDispatch } from '../durable-objects/auto-dispatch';
export { CronSchedule } from '../durable-objects/cron-schedule';

export const app = new Hono<AppEnv>();

app.use('*', requestContext);
app.use('*', securityHeaders);
// Before anything that reads a setting (CORS reads APP_ORIGINS): a bad value is a 503 here, not a 500 there.
app.use('*', async (c, next) => {
  const config = configStatus(c.env);
  if (!config.ok) {
    return c.json(
      {
        error: {
          code: 'misconfigured',
          message: 'The server is not configured correctly; the operator has been told.',
        },
      },
      503,
    );
  }
  return next();
});
app.use('*', corsAllowList);
app.use('*', database);
app.use('*', authorize);
app.use('*', rateLimit);
app.use('*', adminIpAllowList);
app.use('*', auditTrail);

app.route('/', health);
app.route('/ws', ws);
app.route('/api/v1/auth', auth);
app.route('/api/v1/pricing', pricing);
app.route('/api/v1/addresses', addresses);
app.route('/api/v1/customers', customers);
app.route('/api/v1/jobs', jobs);
app.route('/api/v1/drivers', drivers);
app.route('/api/v1/admin', adminAccounts);
app.route('/api/v1/admin', adminAudit);
app.route('/api/v1/customers', customerHistory);
app.route('/api/v1/jobs', jobPrices);
app.route('/api/v1/jobs', jobPhotoRoutes);
app.route('/api/v1/waitlist', waitlist);
app.route('/api/v1/invoices', invoices);
app.route('/api/v1/admin', adminSetup);
app.route('/api/v1/admin', adminReports);
app.route('/api/v1/uploads', uploads);
app.route('/api/v1/files', fileLinks);
app.route('/files', files);
app.route('/tiles', tiles);
app.route('/api/v1/push', push);
app.route('/api/v1/webhooks', webhooks);
app.route('/api/v1/admin/notifications', adminNotifications);
app.route('/api/v1/invoices', invoicePdf);
app.route('/api/v1', openapi);
app.route('/api/v1/admin', adminHealth);
app.route('/api/v1/admin', adminContracts);
app.route('/api/v1/admin', adminStorms);
app.route('/api/v1/admin', stormEvidenceRoutes);
app.route('/api/v1/admin', adminRoutes);
app.route('/api/v1/admin', adminJobs);
app.route('/api/v1/customers', customerContractRoutes);

app.notFound((c) =>
  c.json(
    { error: { code: 'not_found', message: `No route for ${c.req.method} ${new URL(c.req.url).pathname}.` } },
    404,
  ),
);

app.onError((err, c) => {
  if (err instanceof ApiError) {
    for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
    return c.json(err.body(), err.status);
  }
  const requestId = c.get('requestId');
  if (isDbUnavailable(err)) {
    // An outage, not a bug: the client waits and retries (client_event_id makes that safe).
    log.error({
      msg: 'database unavailable',
      request_id: requestId,
      err: String((err as { cause?: unknown }).cause ?? err),
    });
    c.header('Retry-After', String(DB_RETRY_AFTER_SECONDS));
    return c.json(
      {
        error: {
          code: 'db_unavailable',
          message: `The database is not reachable right now; please try again in ${DB_RETRY_AFTER_SECONDS} seconds.`,
        },
      },
      503,
    );
  }
  log.error({
    msg: 'unhandled error',
    request_id: requestId,
    err: err instanceof Error ? (err.stack ?? err.message) : String(err),
  });
  return c.json(
    { error: { code: 'internal', message: `Something went wrong on our side (request ${requestId}).` } },
    500,
  );
});

export default {
  fetch: app.fetch,
  queue: dispatchQueue,
  scheduled: async (controller, env, ctx) => {
    ctx.waitUntil(runScheduled(controller.cron, env, new Date(controller.scheduledTime)));
  },
} satisfies ExportedHandler<Env>;
