/**
 * grpc-js passes the target host as the TLS `servername` even when it is an IP address (every
 * local Samsa address is 127.0.0.1:port), and Node then prints DEP0123 ("Setting the TLS
 * ServerName to an IP address is not permitted by RFC 6066") on stderr once per process: noise in
 * every CLI run and example, and nothing the user can act on. The certificate is still verified
 * against the IP (subjectAltName IP:...). This drops that one warning and no other.
 */
let installed = false;

export function silenceIpServernameWarning(): void {
  if (installed) return;
  installed = true;
  const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = (warning: string | Error, ...rest: unknown[]): void => {
    const options = rest[0];
    const code = typeof options === 'object' && options !== null ? (options as { code?: unknown }).code : rest[1];
    if (code === 'DEP0123') return;
    emit(warning, ...rest);
  };
}
