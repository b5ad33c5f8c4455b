import net from 'node:net';

/**
 * A TCP proxy to a database (or anything), for outage tests: put it between the app and Postgres,
 * then take the database away and give it back without touching either.
 *
 *   'up'      pipes both ways;
 *   'refuse'  destroys every open connection and resets new ones at once (Postgres stopped);
 *   'silent'  destroys the open ones and accepts new ones without ever forwarding a byte (a
 *             network partition: the client only learns from its own timeouts).
 */
export type ProxyMode = 'up' | 'refuse' | 'silent';

export type TcpProxy = {
  port: number;
  readonly mode: ProxyMode;
  set(mode: ProxyMode): void;
  close(): Promise<void>;
};

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let mode: ProxyMode = 'up';
  const open = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => {});
  };
  const server = net.createServer((client) => {
    track(client);
    if (mode === 'refuse') {
      client.resetAndDestroy();
      return;
    }
    if (mode === 'silent') {
      client.on('data', () => {}); // swallowed: no answer, ever
      return;
    }
    const upstream = net.connect(target);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', closeBoth);
    upstream.on('close', closeBoth);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    get mode() {
      return mode;
    },
    set(next: ProxyMode) {
      mode = next;
      if (next !== 'up') for (const socket of [...open]) socket.destroy();
    },
    close() {
      for (const socket of [...open]) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
