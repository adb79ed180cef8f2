import { getDocumentProxy } from 'unpdf';

/** What a PDF reader sees in a document: page sizes in points and each page's text, line by line. */
export interface PdfReading {
  pages: { width: number; height: number; text: string }[];
}

interface TextRun {
  str: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Opens a PDF with pdf.js (the reader inside Firefox, shipped in the `unpdf` npm package)
 * and rebuilds each page's text as lines: runs on the same baseline, left to right, with a
 * space where the reader sees a gap. Close to `pdftotext -layout`, with nothing outside npm.
 */
export async function readPdf(bytes: Uint8Array): Promise<PdfReading> {
  const doc = await getDocumentProxy(new Uint8Array(bytes));
  const pages: PdfReading['pages'] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const page = await doc.getPage(n);
    const { width, height } = page.getViewport({ scale: 1 });
    const content = await page.getTextContent();
    const runs: TextRun[] = [];
    for (const item of content.items) {
      if (!('str' in item) || item.str === '') continue;
      runs.push({ str: item.str, x: item.transform[4], y: item.transform[5], width: item.width, height: item.height });
    }
    pages.push({ width, height, text: toLines(runs) });
  }
  await doc.cleanup();
  return { pages };
}

function toLines(runs: TextRun[]): string {
  const lines: TextRun[][] = [];
  for (const run of [...runs].sort((a, b) => b.y - a.y || a.x - b.x)) {
    const line = lines.find((l) => Math.abs(l[0]!.y - run.y) <= Math.max(2, run.height / 3));
    if (line) line.push(run);
    else lines.push([run]);
  }
  return lines
    .map((line) => {
      line.sort((a, b) => a.x - b.x);
      let text = '';
      let end = -Infinity;
      for (const run of line) {
        if (text !== '' && run.x - end > 1) text += ' ';
        text += run.str;
        end = run.x + run.width;
      }
      return text;
    })
    .join('\n');
}
