/** Text of the app loader (shown before one of the three apps has loaded). */
export const strings = {
  loading: 'Loading…',
  loadFailed: 'PlowDispatch could not load. Check your connection and try again.',
  reload: 'Reload',
} as const;
