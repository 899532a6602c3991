"""How a plain generated Python client connects to Samsa: standard gRPC TLS credentials.

Samsa serves TLS on every port and asks clients for a certificate signed by the cluster's CA
(mutual TLS). `npm start` makes them under data/tls/: ca.crt, and samsa-cli.crt/.key as a client
certificate. Settings, the same as the CLI's: SAMSA_TLS_CA, SAMSA_TLS_CERT, SAMSA_TLS_KEY, else
data/tls/ (or $SAMSA_DATA_DIR/tls/); SAMSA_INSECURE=1 for a cluster started with --insecure.

A client that cannot hold a certificate authenticates with a bearer token instead (SAMSA_TOKEN, e.g.
from `samsa tokens issue --subject reporting`): gRPC's standard access-token call credentials send
it as `authorization: Bearer ...` on every call, composed with TLS credentials that hold only the
CA (SAMSA_TLS_CA, else data/tls/ca.crt). Its principal is User:<sub>, with that principal's ACLs.
A token the cluster does not accept fails the call UNAUTHENTICATED; it never falls back to a
certificate, so none is sent with it.
"""
import os

import grpc


def _paths():
    ca = os.environ.get("SAMSA_TLS_CA")
    if ca:
        return ca, os.environ.get("SAMSA_TLS_CERT"), os.environ.get("SAMSA_TLS_KEY")
    tls_dir = os.path.join(os.environ.get("SAMSA_DATA_DIR", "data"), "tls")
    return os.path.join(tls_dir, "ca.crt"), os.path.join(tls_dir, "samsa-cli.crt"), os.path.join(tls_dir, "samsa-cli.key")


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def channel(address):
    """A channel to `address` (host:port): TLS with the client certificate, or plaintext when SAMSA_INSECURE=1."""
    if os.environ.get("SAMSA_INSECURE", "").lower() in ("1", "true", "yes"):
        return grpc.insecure_channel(address)
    ca, cert, key = _paths()
    token = os.environ.get("SAMSA_TOKEN")
    if token:
        credentials = grpc.composite_channel_credentials(
            grpc.ssl_channel_credentials(root_certificates=_read(ca)),
            grpc.access_token_call_credentials(token),
        )
        return grpc.secure_channel(address, credentials)
    credentials = grpc.ssl_channel_credentials(
        root_certificates=_read(ca),
        private_key=_read(key) if key else None,
        certificate_chain=_read(cert) if cert else None,
    )
    return grpc.secure_channel(address, credentials)
