/** The one error body every HTTP refusal uses (SPEC §4). */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** WebSocket close code for an invalid, expired or revoked token (SPEC §7). */
export const WS_CLOSE_UNAUTHORIZED = 4001;

/**
 * WebSocket close code for a socket whose user may no longer see what it serves (the job
 * was reassigned or rejected): the token is still good, but reconnecting to this topic
 * would be refused, so clients stop.
 */
export const WS_CLOSE_ACCESS_ENDED = 4003;
