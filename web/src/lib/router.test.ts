import { describe, expect, it } from 'vitest';
import { matchPath } from './router';

describe('matchPath', () => {
  it('returns the named segments of a matching path', () => {
    expect(matchPath('/customer/jobs/:id', '/customer/jobs/9b2c')).toEqual({ id: '9b2c' });
  });

  it('ignores a trailing slash', () => {
    expect(matchPath('/customer/request', '/customer/request/')).toEqual({});
  });

  it('does not match a longer or shorter path', () => {
    expect(matchPath('/customer/jobs/:id', '/customer/jobs')).toBeNull();
    expect(matchPath('/customer/jobs/:id', '/customer/jobs/1/extra')).toBeNull();
  });

  it('matches the rest of the path with a trailing /*', () => {
    expect(matchPath('/driver/*', '/driver/jobs/1')).toEqual({});
  });

  it('decodes escaped segments', () => {
    expect(matchPath('/x/:name', '/x/a%20b')).toEqual({ name: 'a b' });
  });
});
