/** The one error body every HTTP refusal uses (SPEC §4). */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** WebSocket close code for an invalid, expired or revoked token (SPEC §7). */
export const WS_CLOSE_UNAUTHORIZED = 4001;
