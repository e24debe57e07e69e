import type { AppServices, HttpConfig } from './app-services.ts';
import { buildApp } from './build-app.ts';

/**
 * Stands in for the services when the app is built only to describe itself: registering routes
 * reads no service, and any use would be a bug, so every call throws.
 */
function describeOnlyServices(): AppServices {
  const fail = (): never => {
    throw new Error('the app was built to print its OpenAPI document, not to serve');
  };
  const handler: ProxyHandler<() => never> = { get: () => proxy, apply: fail };
  const proxy: unknown = new Proxy(fail, handler);
  return proxy as AppServices;
}

/** The text of `packages/server/openapi.json`, built from the route schemas. */
export async function openApiDocumentText(config: HttpConfig): Promise<string> {
  const app = await buildApp(config, describeOnlyServices());
  try {
    const response = await app.inject({ method: 'GET', url: '/openapi.json' });
    return response.body;
  } finally {
    await app.close();
  }
}
