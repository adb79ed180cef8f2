import type { Page } from 'playwright-core';

/**
 * Opens a folded column of the dispatch board (finished jobs fold to a strip) so its cards
 * can be seen; a column already open is left as it is.
 */
export async function openColumn(page: Page, status: string): Promise<void> {
  const fold = page.locator(`[data-column="${status}"] button[aria-expanded="false"]`);
  await page.locator(`[data-column="${status}"]`).waitFor({ timeout: 20_000 });
  if (await fold.count()) await fold.click();
}
