/** The fields a PATCH body gives, `null` included (it clears the column); absent ones are left out. */
export function givenFields<T extends object, K extends keyof T>(patch: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const given: Partial<Pick<T, K>> = {};
  for (const key of keys) if (patch[key] !== undefined) given[key] = patch[key];
  return given;
}
