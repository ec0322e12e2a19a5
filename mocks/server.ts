/**
 * Served mode (DESIGN §8, issue 7): the emulators' own msw handlers on a real
 * HTTP port through @mswjs/http-middleware, Salesforce and Marketo on one
 * origin (their paths do not overlap), with the control API under
 * `/__syncsim/`. No endpoint is implemented twice: this module adds only
 * what sits in front of any real server (size limits, who may call the
 * control API, a 404 for paths neither system has) and lets the handlers
 * answer everything else, including `instance_url`/`serverUrl`, which they
 * build from the request's own origin.
 *
 *   const served = await serve({ port: 0 });
 *   // jsforce: new Connection({ loginUrl: served.origin }); Marketo base URL: served.origin
 *   await served.close();
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createMswApp } from '@mswjs/http-middleware';
import { http, HttpResponse, type RequestHandler } from 'msw';
import { RealClock, iso } from '../src/sim/clock.ts';
import { controlAccess, isLoopbackHost } from './control/access.ts';
import { ServedEmulators } from './control/emulators.ts';
import { CONTROL_PREFIX, controlHandlers, type PropertyCheck } from './control/handlers.ts';
import { DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET } from './salesforce/index.ts';

export const DEFAULT_PORT = 4010;
export const DEFAULT_HOST = '127.0.0.1';

/** The credentials DESIGN §8 promises, printed at start. */
export const SERVED_CREDENTIALS = {
  salesforce: { username: 'sync@example.com', password: 'sync-password', clientId: DEFAULT_CLIENT_ID, clientSecret: DEFAULT_CLIENT_SECRET },
  marketo: { clientId: 'syncsim', clientSecret: 'syncsim-secret' },
} as const;

/**
 * Limits a real front end enforces before any endpoint runs. Marketo's own
 * (URI 8 KB → 414, body 1 MB → 413) live in its request pipeline.
 */
export const SERVED_LIMITS = {
  /** Salesforce: a URI over 16,384 bytes is 414 URI Too Long (Salesforce help 000386264). */
  salesforceUriBytes: 16_384,
  /** Salesforce: URI and headers together over 16,384 bytes is 431 (same source). */
  salesforceUriAndHeaderBytes: 16_384,
  /**
   * Any request body over 50 MB is refused with 413 before it is read.
   * [UNCONFIRMED] Salesforce's REST body limit: 50 MB is its documented cap
   * for a base64 blob in a JSON insert, the largest body the API takes.
   */
  maxBodyBytes: 50 * 1024 * 1024,
  /** Node's own header limit, raised so Salesforce's 414/431 band can be answered as Salesforce does. */
  nodeMaxHeaderBytes: 32 * 1024,
} as const;

export interface ServeOptions {
  /** Default 4010; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. Anything but loopback opens the control API to token holders only. */
  host?: string;
  clock?: RealClock;
  /** Seeds the fault plan's RNG. */
  seed?: number;
  /** The control API token for non-loopback clients; required when `host` is not loopback. */
  token?: string;
  /** Answers `GET /__syncsim/properties` (without it, 501). */
  checkProperties?: PropertyCheck;
  /** Runs on the fresh emulators before the port opens (`--scenario` loads its setup here). */
  prepare?: (emulators: ServedEmulators) => void;
}

export interface ServedMode {
  /** `http://host:port`: the Salesforce login URL and the Marketo base URL both. */
  origin: string;
  host: string;
  port: number;
  /** True when `host` is not loopback (the control API then asks other clients for `token`). */
  opened: boolean;
  token?: string;
  emulators: ServedEmulators;
  server: Server;
  close(): Promise<void>;
}

const SF_JSON = { 'Content-Type': 'application/json;charset=UTF-8' };

/** What neither system serves: Salesforce's 404 under /services, a plain one elsewhere. */
function notFoundHandler(): RequestHandler {
  return http.all('*', ({ request }) => {
    const path = new URL(request.url).pathname;
    if (path.startsWith('/services/')) {
      return HttpResponse.json([{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }], { status: 404, headers: SF_JSON });
    }
    return HttpResponse.json(
      { error: 'not_found', message: `nothing at ${path}: Salesforce is under /services/, Marketo under /identity/ and /rest/, the control API under ${CONTROL_PREFIX}/` },
      { status: 404 },
    );
  });
}

function plain(res: ServerResponse, status: number, body: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), ...extra });
  res.end(body);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body) + '\n';
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Reads and discards the body, then answers: a client still sending would otherwise see a reset, not the 413. */
function refuseAfterDraining(req: IncomingMessage, answer: () => void): void {
  req.on('data', () => {});
  req.once('end', answer);
  req.once('error', () => {});
}

function headerBytes(req: IncomingMessage): number {
  let n = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) n += req.rawHeaders[i]!.length + req.rawHeaders[i + 1]!.length + 4;
  return n;
}

export async function serve(opts: ServeOptions = {}): Promise<ServedMode> {
  const host = opts.host ?? DEFAULT_HOST;
  const opened = !isLoopbackHost(host);
  if (opened && !opts.token) throw new Error(`serving on ${host} (beyond loopback) needs a control API token`);
  const clock = opts.clock ?? new RealClock();
  const emulators = new ServedEmulators({ clock, ...(opts.seed !== undefined ? { seed: opts.seed } : {}) });
  let origin = '';

  const info = (reachedAt: string) => ({
    service: 'sync-sim serve',
    salesforce: { loginUrl: reachedAt, ...SERVED_CREDENTIALS.salesforce },
    marketo: { baseUrl: reachedAt, identity: `${reachedAt}/identity/oauth/token`, ...SERVED_CREDENTIALS.marketo },
    scenario: emulators.scenario?.name ?? null,
    clock: { now: iso(clock.now()), held: clock.held },
  });
  const control = controlHandlers(emulators, info, opts.checkProperties);
  opts.prepare?.(emulators);

  let built = -1;
  let app: (req: IncomingMessage, res: ServerResponse) => void = () => {};
  const currentApp = () => {
    if (built !== emulators.generation) {
      const mswApp = createMswApp(...control, ...emulators.emulatorHandlers(), notFoundHandler());
      mswApp.disable('x-powered-by');
      // Production mode: express's last-resort error page never carries a stack trace.
      mswApp.set('env', 'production');
      mswApp.use((err: unknown, _req: IncomingMessage, res: ServerResponse, _next: unknown) => {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        json(res, 500, { error: 'internal_error', message: `the served emulators failed: ${String((err as Error)?.message ?? err)}` });
      });
      app = mswApp as unknown as typeof app;
      built = emulators.generation;
    }
    return app;
  };

  const server = createHttpServer({ maxHeaderSize: SERVED_LIMITS.nodeMaxHeaderBytes }, (req, res) => {
    const url = req.url ?? '/';
    const path = url.split('?', 1)[0]!;
    if (path.startsWith('/services/')) {
      const uriBytes = Buffer.byteLength(url);
      if (uriBytes > SERVED_LIMITS.salesforceUriBytes) return refuseAfterDraining(req, () => plain(res, 414, 'URI Too Long'));
      if (uriBytes + headerBytes(req) > SERVED_LIMITS.salesforceUriAndHeaderBytes) {
        return refuseAfterDraining(req, () => plain(res, 431, 'Request Header Fields Too Large'));
      }
    }
    const length = Number(req.headers['content-length'] ?? 0);
    if (length > SERVED_LIMITS.maxBodyBytes) return refuseAfterDraining(req, () => plain(res, 413, 'Request Entity Too Large'));
    if (path === CONTROL_PREFIX || path.startsWith(`${CONTROL_PREFIX}/`)) {
      const access = controlAccess(req.socket.remoteAddress, req.headers, { opened, ...(opts.token ? { token: opts.token } : {}) });
      if (!access.ok) return refuseAfterDraining(req, () => json(res, access.status, { error: { code: access.code, message: access.message } }));
    }
    currentApp()(req, res);
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    // Node's own parser refusals (an oversized header block, a malformed request line).
    if (!socket.writable) return socket.destroy();
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? DEFAULT_PORT, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  origin = `http://${shownHost}:${address.port}`;

  return {
    origin,
    host: address.address,
    port: address.port,
    opened,
    ...(opts.token ? { token: opts.token } : {}),
    emulators,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The start-up text: URLs and the default credentials (DESIGN §8). */
export function banner(served: ServedMode, loopbackOrigin = served.origin): string {
  const c = SERVED_CREDENTIALS;
  const o = loopbackOrigin;
  const lines = [
    `sync-sim serve: Salesforce and Marketo emulators on ${served.origin}`,
    `listening on ${served.host} port ${served.port}`,
    '',
    'Salesforce',
    `  login URL      ${o}   (OAuth ${o}/services/oauth2/token, SOAP ${o}/services/Soap/u/62.0)`,
    `  username       ${c.salesforce.username}`,
    `  password       ${c.salesforce.password}`,
    `  client id      ${c.salesforce.clientId}`,
    `  client secret  ${c.salesforce.clientSecret}   (password and client_credentials grants, SOAP login)`,
    'Marketo',
    `  base URL       ${o}   (identity ${o}/identity/oauth/token, REST ${o}/rest/v1/...)`,
    `  client id      ${c.marketo.clientId}`,
    `  client secret  ${c.marketo.clientSecret}`,
    'Control API',
    `  ${o}${CONTROL_PREFIX}   (GET it for the list of endpoints)`,
    served.opened
      ? `  token          ${served.token}   (clients other than loopback: Authorization: Bearer <token> or x-syncsim-token)`
      : '  loopback clients only',
    `Clock: ${served.emulators.clock.held ? 'held' : 'real time'}, now ${iso(served.emulators.clock.now())}`,
  ];
  return lines.join('\n');
}
