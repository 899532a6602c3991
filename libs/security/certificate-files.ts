/**
 * A certificate, its private key and the CA, read from PEM files and re-read every `reloadMs`,
 * so a rotated certificate is used by new connections without a restart. It is the
 * CertificateProvider grpc-js's certificate-provider credentials listen to (both the server's and
 * the service's outgoing channels), which swap the listener's SecureContext
 * (`Http2SecureServer.setSecureContext`) when it publishes.
 *
 * Contract:
 * - The constructor reads the files synchronously and throws TlsMaterialError naming the file when
 *   one is missing or the certificate and key do not make a valid pair: a service fails at start,
 *   not at its first connection.
 * - After that, a change is published only when the new files make a valid SecureContext; a
 *   half-written rotation (new certificate, old key) is skipped and reported through `onReload`,
 *   and connections keep the last good pair. So rotate by writing both files, in either order.
 * - A listener added gets the current material in a microtask, then every valid change. Not
 *   synchronously: grpc-js's server credentials register their own watcher only after adding the
 *   listener, so a synchronous answer would be lost and the listener would drop every connection
 *   ("unloaded credentials") until the files next changed.
 * - `close()` stops the timer. The timer is the only resource; the owner is whoever made this.
 */
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type * as grpc from '@grpc/grpc-js';

type Provider = grpc.experimental.CertificateProvider;
type CaListener = grpc.experimental.CaCertificateUpdateListener;
type IdentityListener = grpc.experimental.IdentityCertificateUpdateListener;

export interface CertificatePaths {
  ca: string;
  cert: string;
  key: string;
}

export class TlsMaterialError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TlsMaterialError';
  }
}

export type ReloadEvent = { kind: 'reloaded' } | { kind: 'rejected'; reason: string };

interface Material {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

function readMaterial(paths: CertificatePaths): Material {
  const read = (what: string, path: string): Buffer => {
    if (path === '') throw new TlsMaterialError(`no ${what} file given`);
    try {
      return readFileSync(path);
    } catch (err) {
      throw new TlsMaterialError(`cannot read the ${what} file ${path}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const material = { ca: read('CA certificate', paths.ca), cert: read('certificate', paths.cert), key: read('private key', paths.key) };
  try {
    createSecureContext(material);
  } catch (err) {
    throw new TlsMaterialError(
      `${paths.cert} with key ${paths.key} and CA ${paths.ca} is not a valid TLS identity: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  return material;
}

export class CertificateFiles implements Provider {
  private material: Material;
  private readonly caListeners = new Set<CaListener>();
  private readonly identityListeners = new Set<IdentityListener>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly paths: CertificatePaths,
    reloadMs: number,
    private readonly onReload: (event: ReloadEvent) => void = () => {},
  ) {
    this.material = readMaterial(paths);
    this.timer = setInterval(() => this.reload(), reloadMs);
    // The process's life is not held up by a file check.
    this.timer.unref();
  }

  /** Re-reads the files now; publishes them when they changed and are valid. */
  reload(): void {
    let next: Material;
    try {
      next = readMaterial(this.paths);
    } catch (err) {
      this.onReload({ kind: 'rejected', reason: err instanceof Error ? err.message : String(err) });
      return;
    }
    const prev = this.material;
    if (prev.ca.equals(next.ca) && prev.cert.equals(next.cert) && prev.key.equals(next.key)) return;
    this.material = next;
    for (const l of this.caListeners) l({ caCertificate: next.ca });
    for (const l of this.identityListeners) l({ certificate: next.cert, privateKey: next.key });
    this.onReload({ kind: 'reloaded' });
  }

  /** The current certificate, key and CA (PEM). */
  current(): Readonly<Material> {
    return this.material;
  }

  addCaCertificateListener(listener: CaListener): void {
    this.caListeners.add(listener);
    queueMicrotask(() => {
      if (this.caListeners.has(listener)) listener({ caCertificate: this.material.ca });
    });
  }

  removeCaCertificateListener(listener: CaListener): void {
    this.caListeners.delete(listener);
  }

  addIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.add(listener);
    queueMicrotask(() => {
      if (this.identityListeners.has(listener)) listener({ certificate: this.material.cert, privateKey: this.material.key });
    });
  }

  removeIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.delete(listener);
  }

  close(): void {
    clearInterval(this.timer);
  }
}
