import { ApiClient } from '../lib/api';
import { SessionStore } from '../lib/session';

export const session = new SessionStore('driver');
export const api = new ApiClient(session);
