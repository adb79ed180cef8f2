import { describe, expect, it } from 'vitest';
import { directionsHref } from './directions';

const JOB = { lat: 43.2081, lng: -71.5376, job_address: '12 Pleasant St, Concord' };

describe('directionsHref', () => {
  it("opens the driver's own navigation app on Android", () => {
    const href = directionsHref(JOB, 'Mozilla/5.0 (Linux; Android 14; Pixel 8) Chrome/131.0 Mobile');
    expect(href).toBe('geo:43.2081,-71.5376?q=43.2081%2C-71.5376(12%20Pleasant%20St%2C%20Concord)');
  });

  it('gives Google Maps driving directions elsewhere', () => {
    const href = directionsHref(JOB, 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0');
    expect(href).toBe('https://www.google.com/maps/dir/?api=1&destination=43.2081%2C-71.5376&travelmode=driving');
  });
});
