/**
 * workerd provides `node:async_hooks` under the `nodejs_compat` flag. The Worker's tsconfig
 * deliberately leaves out @types/node (Node globals must not leak into Worker code), so the
 * one class we use is declared here.
 */
declare module 'node:async_hooks' {
  export class AsyncLocalStorage<T> {
    run<R>(store: T, fn: () => R): R;
    getStore(): T | undefined;
  }
}
