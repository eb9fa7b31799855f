// A loopback HTTP server for download tests. It serves in-memory files on 127.0.0.1, records each
// request, and can drop the connection part-way through a body or ignore Range headers.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  path: string;
  range: string | undefined;
  ifRange: string | undefined;
}

export interface ArchiveServer {
  /** Base URL with a trailing slash, for example http://127.0.0.1:41234/. */
  url: string;
  requests: RecordedRequest[];
  /** Files served by path, for example '/ml-100k.zip'. Replacing one changes its ETag. */
  files: Map<string, Buffer>;
  /** Honour `Range: bytes=N-` with 206 responses. Default true. */
  supportsRange: boolean;
  /** Drop the connection after this many body bytes, for the next `dropCount` responses. */
  dropAfterBytes: number;
  dropCount: number;
  /**
   * Awaited before a dropped connection is reset, with the size the client's partial file should reach
   * (range start + dropAfterBytes). A reset discards bytes the client has not read yet, so tests wait
   * here until the client has written them. Without this hook the server waits 50 ms.
   */
  beforeDrop?: (expectedPartBytes: number) => Promise<void>;
  close(): Promise<void>;
}

/** Returns a strong ETag computed from the file's bytes, so replacing a file changes its ETag. */
function etagOf(body: Buffer): string {
  let hash = 0;
  for (const byte of body) hash = (hash * 31 + byte) >>> 0;
  return `"${body.length}-${hash.toString(16)}"`;
}

/** Starts a server on 127.0.0.1 with an OS-chosen port. */
export async function startArchiveServer(files: Record<string, Buffer>): Promise<ArchiveServer> {
  const state: Omit<ArchiveServer, 'url' | 'close'> = {
    requests: [] as RecordedRequest[],
    files: new Map(Object.entries(files)),
    supportsRange: true,
    dropAfterBytes: 0,
    dropCount: 0,
  };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    const range = request.headers.range;
    const ifRange = request.headers['if-range'] as string | undefined;
    state.requests.push({ path, range, ifRange });

    const body = state.files.get(path);
    if (body === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const etag = etagOf(body);
    const headers: Record<string, string> = { etag, 'content-type': 'application/octet-stream' };
    if (state.supportsRange) headers['accept-ranges'] = 'bytes';

    let status = 200;
    let payload = body;
    let start = 0;
    const match = range === undefined ? null : /^bytes=(\d+)-$/.exec(range);
    if (state.supportsRange && match !== null && (ifRange === undefined || ifRange === etag)) {
      start = Number(match[1]);
      if (start >= body.length) {
        response.writeHead(416, { ...headers, 'content-range': `bytes */${body.length}` }).end();
        return;
      }
      status = 206;
      payload = body.subarray(start);
      headers['content-range'] = `bytes ${start}-${body.length - 1}/${body.length}`;
    }
    headers['content-length'] = String(payload.length);
    response.writeHead(status, headers);

    if (state.dropCount > 0 && state.dropAfterBytes < payload.length) {
      state.dropCount--;
      // Send part of the body and close the socket a little later. Closing at once can make the client
      // drop the bytes still queued in its body stream, which a real mid-transfer failure rarely does.
      const expectedPartBytes = start + state.dropAfterBytes;
      const settle = state.beforeDrop ?? (() => new Promise<void>((resolve) => setTimeout(resolve, 50)));
      response.write(payload.subarray(0, state.dropAfterBytes), () => {
        void settle(expectedPartBytes).then(() => request.socket.destroy());
      });
      return;
    }
    response.end(payload);
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const handle: ArchiveServer = Object.assign(state, {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  });
  return handle;
}
