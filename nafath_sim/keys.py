"""The simulator's RS256 signing key.

Taken from NAFATH_SIM_PRIVATE_KEY (PEM) when set, else read from NAFATH_SIM_KEY_FILE, which is
generated on first use (var/ is git-ignored, so each checkout has its own key). The key is read
at request time, not at import, so tests can point NAFATH_SIM_KEY_FILE at a temporary file.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from django.conf import settings
from jwcrypto import jwk


def signing_key() -> jwk.JWK:
    pem = settings.NAFATH_SIM_PRIVATE_KEY or _pem_from_file(Path(settings.NAFATH_SIM_KEY_FILE))
    return _load(pem)


@functools.lru_cache(maxsize=4)
def _load(pem: str) -> jwk.JWK:
    key = jwk.JWK.from_pem(pem.encode())
    # The kid is the RFC 7638 thumbprint: stable for a key, different for any other key.
    return jwk.JWK(**{**key.export_private(as_dict=True), "kid": key.thumbprint()})


def _pem_from_file(path: Path) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = jwk.JWK.generate(kty="RSA", size=2048)
        # Written with 0600 and O_EXCL: two processes starting at once cannot both write it.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_text()
        with os.fdopen(fd, "w") as handle:
            handle.write(key.export_to_pem(private_key=True, password=None).decode())
    return path.read_text()


def public_jwks() -> dict:
    key = signing_key()
    public = key.export_public(as_dict=True)
    public.update({"use": "sig", "alg": "RS256"})
    return {"keys": [public]}
