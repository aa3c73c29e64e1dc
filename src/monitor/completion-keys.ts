/**
 * The completion's key lister, run in the target compiled in tripod's realm there
 * (console-realm.ts): string keys along a chain of data properties, from what
 * `import` made available and then the program's global, read by descriptor with
 * that realm's Reflect, never through a getter or Proxy trap of the program's.
 */
export function keysAlong(chain: string[], importsKey: string, global: object, isProxy: (o: unknown) => boolean): string[] {
  const isObject = (o: unknown) => o !== null && (typeof o === 'object' || typeof o === 'function');
  const data = (o: any, key: PropertyKey): any => {
    for (let at = o, hops = 0; isObject(at) && !isProxy(at) && hops < 20; at = Reflect.getPrototypeOf(at), hops++) {
      const d = Reflect.getOwnPropertyDescriptor(at, key);
      if (d) return 'value' in d ? d.value : undefined;
    }
    return undefined;
  };
  // The registry of Symbol.for is the isolate's: this realm's finds the program's key.
  const roots = [data(global, Symbol.for(importsKey)), global].filter(isObject);
  let at: any = chain.length === 0 ? undefined : roots.map((root) => data(root, chain[0])).find(isObject);
  for (let i = 1; i < chain.length && at !== undefined; i++) at = data(at, chain[i]);
  const from = chain.length === 0 ? roots : isObject(at) ? [at] : [];
  const keys: string[] = [];
  for (const start of from) {
    for (let o: any = start, hops = 0; isObject(o) && !isProxy(o) && hops < 20 && keys.length < 2000; o = Reflect.getPrototypeOf(o), hops++) {
      const own = Reflect.ownKeys(o);
      for (let i = 0; i < own.length; i++) if (typeof own[i] === 'string') keys[keys.length] = own[i] as string;
    }
  }
  return keys;
}
