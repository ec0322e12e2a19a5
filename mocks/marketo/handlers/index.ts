/** All Marketo routes and their msw handlers (paths only, never hosts). */
import { http } from 'msw';
import type { RequestHandler } from 'msw';
import type { MarketoInstance } from '../instance.ts';
import { activityRoutes } from './activities.ts';
import { customActivityRoutes } from './custom-activities.ts';
import { leadRoutes } from './leads.ts';
import type { MarketoHandle } from './pipeline.ts';
import { createPipeline } from './pipeline.ts';
import type { Route } from './route.ts';
import { schemaRoutes } from './schema.ts';

export const ROUTES: Route[] = [...leadRoutes, ...schemaRoutes, ...activityRoutes, ...customActivityRoutes];

export function createHandle(instance: MarketoInstance): MarketoHandle {
  return createPipeline(instance, ROUTES);
}

/** msw handlers that send every Identity and REST request through `handle`. */
export function mswHandlers(handle: MarketoHandle): RequestHandler[] {
  return [
    http.all('*/identity/*', ({ request }) => handle(request)),
    http.all('*/rest/*', ({ request }) => handle(request)),
  ];
}
