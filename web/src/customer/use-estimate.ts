import { useEffect, useState } from 'react';
import { estimate, type Estimate } from './jobs-api';

/**
 * The price a driveway size at a saved place would be quoted, asked again whenever either
 * changes (an answer that comes after a newer question is dropped); nothing is asked while
 * `ask` is false or either is missing.
 */
export function useEstimate(tierId: number | null, locationId: string, ask = true) {
  const [quote, setQuote] = useState<Estimate | null>(null);
  const [quoting, setQuoting] = useState(false);
  useEffect(() => {
    setQuote(null);
    if (!ask || !locationId || tierId === null) return;
    const ctrl = new AbortController();
    setQuoting(true);
    estimate({ driveway_tier_id: tierId, location_id: locationId }, ctrl.signal)
      .then(setQuote, () => {})
      .finally(() => !ctrl.signal.aborted && setQuoting(false));
    return () => ctrl.abort();
  }, [ask, locationId, tierId]);
  return { quote, quoting };
}
