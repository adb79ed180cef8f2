/**
 * One button to the driveway. On Android a `geo:` link opens the driver's own choice of
 * navigation app (Google Maps, Waze…); elsewhere, Google Maps directions in the browser.
 */
export function directionsHref(
  job: { lat: number; lng: number; job_address: string },
  userAgent = navigator.userAgent,
) {
  const dest = `${job.lat},${job.lng}`;
  if (/Android/i.test(userAgent)) return `geo:${dest}?q=${encodeURIComponent(`${dest}(${job.job_address})`)}`;
  return `https://www.google.com/maps/dir/?api=1&destination=${encodeURIComponent(dest)}&travelmode=driving`;
}
