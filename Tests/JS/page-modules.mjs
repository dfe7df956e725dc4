// The page's own modules (static/js), imported as they are served. static/js has no package.json
// saying "type": "module": Node ≥ 20.19 tells ES modules by their syntax, older Node (Debian 12's
// 18.20) by this resolve hook. Import them through pageModule(), after the hook is in place.
import { register } from 'node:module';

const hook = `export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  return resolved.url.includes('/static/js/') ? { ...resolved, format: 'module' } : resolved;
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);

export const pageModule = (name) => import(new URL(`../../static/js/${name}`, import.meta.url).href);
