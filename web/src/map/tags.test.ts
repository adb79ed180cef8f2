import { describe, expect, it } from 'vitest';
import { spreadTags, tagLeft } from './tags';

describe('spreadTags', () => {
  it('moves a tag down a line at a time until it clears the tags above it', () => {
    expect(
      spreadTags([
        { x: 0, y: 0 },
        { x: 5, y: 0 },
        { x: 10, y: 0 },
      ]),
    ).toEqual([0, 9, 18]);
  });

  it('works in any units: screen pixels on the tile map', () => {
    expect(
      spreadTags(
        [
          { x: 300, y: 200 },
          { x: 360, y: 204 },
          { x: 600, y: 200 },
        ],
        { line: 16, width: 110 },
      ),
    ).toEqual([0, 16, 0]);
  });

  it('leaves tags far apart, and markers without a tag, where they are', () => {
    expect(spreadTags([{ x: -60, y: 0 }, null, { x: 60, y: 0 }])).toEqual([0, 0, 0]);
  });
});

describe('tagLeft', () => {
  it('prints a tag to the right of a marker near the middle', () => {
    expect(tagLeft(0, 'Dave · Delayed')).toBe(false);
  });

  it('prints it to the left when it would run past the right edge', () => {
    expect(tagLeft(90, 'Dave · Delayed')).toBe(true);
    expect(tagLeft(50, 'Dave · Lost contact')).toBe(true);
    // Printed bold, "Dave · Delayed" is wider than its letters' average suggests.
    expect(tagLeft(40, 'Dave · Delayed')).toBe(true);
  });

  it('takes the side with more room when the tag fits on neither', () => {
    const long = 'Maximilian · Out of touch since noon';
    expect(tagLeft(10, long)).toBe(true);
    expect(tagLeft(-10, long)).toBe(false);
  });
});
