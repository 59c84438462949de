"""ID tokens and claims, as the real provider would issue them."""

from __future__ import annotations

import json
import time

from django.utils.crypto import salted_hmac
from jwcrypto import jwt

from .keys import signing_key
from .registry import person

ACR = "urn:masar:nafath-simulator:number-matching"
AMR = ["mca", "user"]  # RFC 8176: multiple-channel authentication, user presence
ID_TOKEN_LIFETIME = 300


def subject_for(national_id: str) -> str:
    # A stable, opaque subject per person, as real providers give; the national ID is a claim.
    return salted_hmac("nafath_sim.subject", national_id).hexdigest()[:32]


def claims_for(sign_in) -> dict:
    claims = {
        "sub": subject_for(sign_in.national_id),
        "national_id": sign_in.national_id,
    }
    entry = person(sign_in.national_id)
    if entry is not None and "profile" in sign_in.scope.split():
        claims.update(
            {
                "name": f"{entry.first_name_ar} {entry.family_name_ar}",
                "given_name": entry.first_name_en,
                "family_name": entry.family_name_en,
            }
        )
    return claims


def id_token_for(sign_in, *, issuer: str) -> str:
    now = int(time.time())
    payload = {
        **claims_for(sign_in),
        "iss": issuer,
        "aud": sign_in.client_id,
        "iat": now,
        "exp": now + ID_TOKEN_LIFETIME,
        "auth_time": int(sign_in.answered_at.timestamp()),
        "acr": ACR,
        "amr": AMR,
    }
    if sign_in.nonce:
        payload["nonce"] = sign_in.nonce
    key = signing_key()
    token = jwt.JWT(
        header={"alg": "RS256", "kid": key.get("kid"), "typ": "JWT"},
        claims=json.dumps(payload),
    )
    token.make_signed_token(key)
    return token.serialize()
