"""Runs moto's S3 + IAM server on 127.0.0.1 with SigV4 checking switched on, for test/support/s3-server.ts.

Prints one JSON line on stdout once it accepts requests:
  {"endpoint": "http://127.0.0.1:PORT", "admin": {...}, "denied": {...}}
where each identity is {"accessKey": ..., "secretKey": ...}. "admin" may do anything in S3; "denied" is a valid
IAM user whose every S3 action is refused (AccessDenied). Exits when stdin closes, so the server dies with the test
process even when that process is killed without a chance to clean up.

Two patches make moto verify requests the way AWS S3 does (both are test-only; src/ never depends on them):

1. Canonical URI. moto (5.2) verifies SigV4 against a canonical request built from werkzeug's `request.url`, which
   is an IRI: werkzeug decodes the path, re-quotes it leaving RFC 3986 sub-delimiters, ':' and '@' bare
   (safe="!$&'()*+,/:;=@%"), then `uri_to_iri` decodes every other escape except controls, space, '%', '/', '?'
   and '#'. AWS clients sign each byte except A-Z a-z 0-9 - . _ ~ and '/' as %XX, so with werkzeug 3.1 every key
   holding [ ] , ( ) = + ! * ' : ; @ $ & % or a non-ASCII character fails with SignatureDoesNotMatch (spaces and
   '~' happen to pass: ' ' stays '%20'). A '+' is worse still for clients signing with aws4, which reads '+' in
   a path as a space. AWS itself decodes the request path and re-encodes it with the byte rule above; the patch
   does exactly that from the raw request target (RAW_URI), so a client that sends a key that decodes to another
   key, or signs another key than it sends, still fails here as it would on AWS.
2. Anonymous requests. With auth on, moto reads the Authorization header unconditionally and answers an
   unsigned GET with a 500 (KeyError). AWS instead allows an unsigned request where a bucket policy grants the
   action to Principal "*" (or the object's ACL is public-read), and otherwise answers 403 AccessDenied.
"""

import json
import logging
import os
import sys
import threading
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from moto import settings
from moto.core.authorization import ActionAuthenticatorMixin
from moto.moto_server.threaded_moto_server import ThreadedMotoServer


def _auth_is_on() -> bool:
    return ActionAuthenticatorMixin.request_count >= settings.INITIAL_NO_AUTH_ACTION_COUNT


def _anonymous_allowed(response, bucket_name, key_name) -> bool:
    from moto.iam.access_control import PermissionResult

    if not bucket_name:
        return False
    bucket = response.backend.get_bucket(bucket_name)  # raises NoSuchBucket, as AWS answers
    action = f"s3:{response.method.upper()[0]}{response.method.lower()[1:]}Object"
    resource = f"arn:aws:s3:::{bucket_name}/{key_name}" if key_name else f"arn:aws:s3:::{bucket_name}"
    if bucket.get_permission(action, resource) == PermissionResult.PERMITTED:
        return True
    if key_name:
        key = bucket.keys.get(key_name)
        return bool(key is not None and key.acl is not None and key.acl.public_read)
    return False


_original_s3_action = ActionAuthenticatorMixin._authenticate_and_authorize_s3_action


def _s3_action(self, bucket_name=None, key_name=None):
    if not _auth_is_on():
        return _original_s3_action(self, bucket_name=bucket_name, key_name=key_name)
    if "Authorization" not in self.headers:
        from moto.s3.exceptions import S3AccessDeniedError

        if _anonymous_allowed(self, bucket_name, key_name):
            return None
        raise S3AccessDeniedError()
    raw_path = getattr(self, "raw_path", None) or urlsplit(self.uri).path
    canonical_path = quote(unquote(raw_path), safe="/~")
    saved_uri = self.uri
    self.uri = urlunsplit(urlsplit(saved_uri)._replace(path=canonical_path))
    try:
        return _original_s3_action(self, bucket_name=bucket_name, key_name=key_name)
    finally:
        self.uri = saved_uri


ActionAuthenticatorMixin._authenticate_and_authorize_s3_action = _s3_action


def _create_identities(endpoint: str) -> dict:
    import boto3

    iam = boto3.client(
        "iam",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="setup",
        aws_secret_access_key="setup",
    )

    def user(name: str, effect: str) -> dict:
        iam.create_user(UserName=name)
        policy = {"Version": "2012-10-17", "Statement": [{"Effect": effect, "Action": "s3:*", "Resource": "*"}]}
        iam.put_user_policy(UserName=name, PolicyName="s3", PolicyDocument=json.dumps(policy))
        key = iam.create_access_key(UserName=name)["AccessKey"]
        return {"accessKey": key["AccessKeyId"], "secretKey": key["SecretAccessKey"]}

    return {"admin": user("admin", "Allow"), "denied": user("denied", "Deny")}


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    # Identities are created while auth is still off (moto's default), then every request is checked.
    identities = _create_identities(endpoint)
    settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
    ActionAuthenticatorMixin.request_count = 0
    print(json.dumps({"endpoint": endpoint, **identities}), flush=True)

    def wait_for_parent() -> None:
        sys.stdin.read()
        os._exit(0)

    watcher = threading.Thread(target=wait_for_parent, daemon=True)
    watcher.start()
    watcher.join()


if __name__ == "__main__":
    main()
