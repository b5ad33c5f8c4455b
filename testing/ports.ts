/** Loopback ports: a free one for a server to take (get-port), and whether something listens on one. */
import net from 'node:net';
import getPort from 'get-port';

/** A port nobody listens on at 127.0.0.1 now; get-port also never hands this process the same one twice within a while. */
export function freePort(): Promise<number> {
  return getPort({ host: '127.0.0.1' });
}

/** Whether a TCP connection to `host:port` is accepted right now. */
export function isListening(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
