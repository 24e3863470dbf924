import net from "node:net";

/** A TCP port on 127.0.0.1 that nothing listens on (the OS picked it free, and it was closed again). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
