import { ApiClient } from '../lib/api';
import { SessionStore } from '../lib/session';

export const session = new SessionStore('customer');
export const api = new ApiClient(session);
