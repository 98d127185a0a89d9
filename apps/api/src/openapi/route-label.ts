import type { ApiDocPart } from './route-doc';

function escape(text: string): string {
  return text.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
}

/**
 * Turns a request into the label of its route: the documented template (`/api/v1/export/status/{job_id}`),
 * the mount of a third-party router (`/admin/queues/*`), or `unmatched`. Labels therefore come from a
 * fixed set, whatever paths clients send (the metrics' cardinality stays bounded).
 */
export function routeLabeller(parts: readonly ApiDocPart[]): (method: string, url: string) => string {
  const routes = parts.flatMap((part) =>
    part.routes.map((route) => {
      const wide = new Set((route.params ?? []).filter((param) => param.spansSlashes).map((param) => param.name));
      const source = route.path
        .split(/(\{[^}]+\})/)
        .map((piece) => {
          const name = /^\{([^}]+)\}$/.exec(piece)?.[1];
          return name === undefined ? escape(piece) : wide.has(name) ? '.+' : '[^/]+';
        })
        .join('');
      return { method: route.method.toUpperCase(), template: route.path, pattern: new RegExp(`^${source}/?$`) };
    }),
  );
  const mounts = parts.flatMap((part) => part.opaqueMounts ?? []);
  return (method, url) => {
    const path = url.split('?')[0] ?? '/';
    const wanted = method === 'HEAD' ? 'GET' : method;
    const found = routes.find((route) => route.method === wanted && route.pattern.test(path));
    if (found) return found.template;
    const mount = mounts.find((prefix) => path === prefix || path.startsWith(`${prefix}/`));
    return mount ? `${mount}/*` : 'unmatched';
  };
}
