/**
 * Where markers' name tags go so people can read them: pushed apart when they would print
 * over each other, and turned to the side of the marker with room. Shared by the plane and
 * MapLibre, in whatever units each draws in.
 */

/** On the plane, in view units: a tag line's height, and how far apart sideways tags clash. */
const PLANE_TAGS = { line: 9, width: 40 };

/**
 * Vertical shifts that keep markers' tags from printing over each other ("I Gus e Assigned"):
 * each tag, in order, moves down a line at a time until it clears the tags already placed.
 * `null` entries (no tag) take no room.
 */
export function spreadTags(
  points: ({ x: number; y: number } | null)[],
  { line, width }: { line: number; width: number } = PLANE_TAGS,
): number[] {
  const placed: { x: number; y: number }[] = [];
  return points.map((p) => {
    if (!p) return 0;
    let dy = 0;
    const clashes = (y: number) => placed.some((q) => Math.abs(q.x - p.x) < width && Math.abs(q.y - y) < line);
    for (let n = 0; n < 12 && clashes(p.y + dy); n++) dy += line;
    placed.push({ x: p.x, y: p.y + dy });
    return dy;
  });
}

/**
 * Width of a tag character in view units (6-unit bold type), generous on purpose: wide
 * letters and the halo stroke must still fit, and a tag that is a little short of the edge
 * looks the same as one that fits exactly.
 */
const TAG_CHAR = 4.2;
export const TAG_GAP = 9;

/**
 * A tag goes left of its marker when printing it to the right would run past the plane's
 * edge; when it fits on neither side, it takes the side with more room.
 */
export function tagLeft(x: number, tag: string): boolean {
  const reach = TAG_GAP + tag.length * TAG_CHAR + 2;
  if (x + reach <= 100) return false;
  if (x - reach >= -100) return true;
  return x > 0;
}
