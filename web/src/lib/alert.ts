/**
 * Getting a driver's attention for a new assignment: vibration, a loud two-tone chime from
 * WebAudio (no audio file to download), and — when the app is in the background — a
 * system notification through the service worker.
 */

let audio: AudioContext | null = null;

/** Browsers only allow sound after a gesture: call this from any tap to unlock it. */
export function unlockAudio(): void {
  try {
    audio ??= new AudioContext();
    if (audio.state === 'suspended') void audio.resume();
  } catch {
    audio = null;
  }
}

export function chime(): void {
  try {
    audio ??= new AudioContext();
    const ctx = audio;
    const now = ctx.currentTime;
    for (const [i, freq] of [880, 660, 880].entries()) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'square';
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, now + i * 0.28);
      gain.gain.exponentialRampToValueAtTime(0.4, now + i * 0.28 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + i * 0.28 + 0.25);
      osc.connect(gain).connect(ctx.destination);
      osc.start(now + i * 0.28);
      osc.stop(now + i * 0.28 + 0.26);
    }
  } catch {
    // no audio: vibration and the on-screen banner still tell them
  }
}

export const ASSIGNMENT_VIBRATION = [300, 120, 300, 120, 600];

/** Vibrate + chime; a notification too when the page is hidden. */
export async function alertAssignment(title: string, body: string): Promise<void> {
  navigator.vibrate?.(ASSIGNMENT_VIBRATION);
  chime();
  if (document.visibilityState === 'hidden' && 'Notification' in window && Notification.permission === 'granted') {
    const reg = await navigator.serviceWorker?.getRegistration().catch(() => undefined);
    await reg
      ?.showNotification(title, { body, tag: 'assignment', icon: '/icons/icon-192.png', data: { url: '/driver/' } })
      .catch(() => undefined);
  }
}
